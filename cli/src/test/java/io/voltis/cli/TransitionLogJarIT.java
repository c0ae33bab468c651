package io.voltis.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.voltis.sync.testing.TestRepo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an operator reads in the journal: the shaded jar run as the daemon, its standard output
 * (what systemd sends to the journal) read back. Each transition — revision seen, apply started,
 * applied, apply failed, drift corrected, source failed, source recovered — is one line with its
 * type and reason, and failing polls in a row do not repeat the line.
 */
class TransitionLogJarIT {

    private static final Path JAR = Fixtures.projectRoot().resolve("cli/target/voltis-agent.jar");
    private static final Duration PATIENCE = Duration.ofSeconds(90);

    @TempDir
    Path tmp;

    private Process daemon;

    @AfterEach
    void stop() throws InterruptedException {
        if (daemon != null) {
            daemon.destroy();
            if (!daemon.waitFor(30, TimeUnit.SECONDS)) {
                daemon.destroyForcibly();
            }
        }
    }

    private static Map<String, String> workload(String exitCode) {
        return Map.of(
                "devices/dev1.yaml", "workload: w\nvars: {code: \"" + exitCode + "\"}\n",
                "workloads/w/files/app.conf", "setting = 1\n",
                "workloads/w/workload.yaml", """
                        apiVersion: voltis/v1
                        files:
                          - {source: files/app.conf, target: etc/app.conf, mode: "0644"}
                        services:
                          - name: app
                            command: ["sh", "-c", "exec sleep 1000"]
                        jobs:
                          - {name: migrate, run: ["sh", "-c", "exit ${code}"], when: per-revision, timeout: 10s}
                        """);
    }

    private List<String> lines() throws IOException {
        Path log = tmp.resolve("daemon.log");
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    private List<String> linesOf(String type) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : lines()) {
            if (line.contains(" events - " + type + " ") || line.contains(" events - " + type + ":")) {
                out.add(line);
            }
        }
        return out;
    }

    @Test
    void everyTransition_isOneLogLine_withItsReason() throws Exception {
        TestRepo origin = TestRepo.create(tmp.resolve("origin.git"));
        String first = origin.commit("a workload whose job succeeds", workload("0"));
        daemon = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                JAR.toString(), "run", "--repo", origin.fileUrl(), "--hostname", "dev1",
                "--state-dir", tmp.resolve("state").toString(), "--root", tmp.resolve("root").toString(),
                "--runtime", "process", "--interval", "1s", "--reconcile-interval", "1s", "--stop-grace", "2s",
                "--listen", "127.0.0.1:0")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(tmp.resolve("daemon.log").toFile())).start();
        String short1 = first.substring(0, 12);

        await().atMost(PATIENCE).until(() -> !linesOf("Applied").isEmpty());
        assertThat(linesOf("RevisionSeen")).singleElement().asString()
                .contains(" INFO ").contains("RevisionSeen " + short1 + ": ").contains("a workload whose job succeeds");
        assertThat(linesOf("ApplyStarted")).singleElement().asString().contains("ApplyStarted " + short1 + ": ");
        assertThat(linesOf("Applied")).singleElement().asString().contains("Applied " + short1 + ": applied " + short1);

        // an apply that fails at its job
        String second = origin.commit("a job that fails", workload("3"));
        await().atMost(PATIENCE).until(() -> !linesOf("ApplyFailed").isEmpty());
        assertThat(linesOf("ApplyFailed").get(0)).contains(" WARN ").contains("ApplyFailed " + second.substring(0, 12) + ": ")
                .contains("migrate");

        // drift on the device is put back, and said so
        origin.commit("the job succeeds again", workload("0"));
        await().atMost(PATIENCE).until(() -> linesOf("Applied").size() == 2);
        Files.writeString(tmp.resolve("root/etc/app.conf"), "changed by hand\n");
        await().atMost(PATIENCE).until(() -> !linesOf("DriftCorrected").isEmpty());
        assertThat(linesOf("DriftCorrected").get(0)).contains("etc/app.conf");

        // the source goes away for several polls, then comes back: one line each way
        Path moved = tmp.resolve("origin-away.git");
        Files.move(origin.dir(), moved);
        await().atMost(PATIENCE).until(() -> !linesOf("SourceFailed").isEmpty());
        long failedAt = System.nanoTime();
        await().atMost(PATIENCE).until(() -> System.nanoTime() - failedAt > TimeUnit.SECONDS.toNanos(6));
        Files.move(moved, origin.dir());
        await().atMost(PATIENCE).until(() -> !linesOf("SourceRecovered").isEmpty());

        assertThat(linesOf("SourceFailed")).singleElement().asString().contains(" WARN ").matches(".*SourceFailed( [0-9a-f]{12})?: [A-Z][A-Za-z]+: .*");
        assertThat(linesOf("SourceRecovered")).singleElement().asString().contains(" INFO ").contains("source reachable again after");
        assertThat(linesOf("ApplyFailed")).hasSize(1);
        assertThat(linesOf("RevisionSeen")).hasSize(3);
    }
}
