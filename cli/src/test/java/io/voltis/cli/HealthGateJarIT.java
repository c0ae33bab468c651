package io.voltis.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The health gate end to end: the shaded jar as the daemon; a good revision passes its gate; a
 * push whose service crashes is rolled back to it within the window, quarantined, and shown
 * {@code RolledBack} with the exit code and the service's last log lines; `retry` and `revisions`
 * as an operator runs them; the next good push is applied.
 */
class HealthGateJarIT {

    private static final Path JAR = Fixtures.projectRoot().resolve("cli/target/voltis-agent.jar");
    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private static final JsonMapper JSON = JsonMapper.builder().build();

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

    private record Run(int code, String out, String err) {
    }

    private Run cli(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("--state-dir", tmp.resolve("state").toString()));
        Process p = new ProcessBuilder(command).start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    private JsonNode status() {
        try {
            Run r = cli("status", "-o", "json");
            return r.code() == 0 ? JSON.readTree(r.out()) : JSON.createObjectNode();
        } catch (IOException e) {
            return JSON.createObjectNode();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return JSON.createObjectNode();
        }
    }

    private static Map<String, String> workload(String version, String script, String window) {
        return Map.of("devices/dev1.yaml", "workload: app\n",
                "workloads/app/files/version", version + "\n",
                "workloads/app/workload.yaml", "apiVersion: voltis/v1\n"
                        + "files:\n  - {source: files/version, target: etc/version}\n"
                        + "services:\n  - {name: web, command: [sh, -c, \"" + script + "\"]}\n"
                        + "gate: {window: " + window + "}\n");
    }

    private Process startDaemon(TestRepo origin, Path log) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString(), "run", "--repo", origin.fileUrl(), "--hostname", "dev1",
                "--state-dir", tmp.resolve("state").toString(), "--root", tmp.resolve("root").toString(),
                "--runtime", "process", "--interval", "1s", "--reconcile-interval", "1s", "--stop-grace", "3s",
                "--listen", "127.0.0.1:0"));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
    }

    /** kill -9 of the daemon three times while a revision is on probation: the fourth run rolls it back. */
    @Test
    void killedThreeTimesInsideTheWindow_theNextStartRollsBack() throws Exception {
        TestRepo origin = TestRepo.create(tmp.resolve("origin.git"));
        String good = origin.commit("good", workload("1", "exec sleep 1000", "1s"));
        Path log = tmp.resolve("daemon.log");
        daemon = startDaemon(origin, log);
        await().atMost(PATIENCE).until(() -> Files.readString(log).contains("GatePassed " + good.substring(0, 12)));
        String slow = origin.commit("slow", Map.of("workloads/app/files/version", "2\n",
                "workloads/app/workload.yaml", "apiVersion: voltis/v1\n"
                        + "files:\n  - {source: files/version, target: etc/version}\n"
                        + "services:\n  - {name: web, command: [sh, -c, \"exec sleep 1000\"]}\n"
                        + "gate: {window: 10m, attempts: 3}\n"));
        await().atMost(PATIENCE).until(() -> slow.equals(status().path("appliedRevision").asString())
                && "running".equals(status().path("gate").path("state").asString()));
        for (int kill = 1; kill <= 3; kill++) {
            daemon.destroyForcibly();
            assertThat(daemon.waitFor(30, TimeUnit.SECONDS)).isTrue();
            daemon = startDaemon(origin, log);
            if (kill < 3) {
                await().atMost(PATIENCE).until(() -> "running".equals(status().path("gate").path("state").asString())
                        && status().path("daemon").asString("").equals("running"));
                assertThat(status().path("appliedRevision").asString()).isEqualTo(slow);
            }
        }
        await().atMost(PATIENCE).until(() -> "RolledBack".equals(status().path("phase").asString()));
        JsonNode s = status();
        assertThat(s.path("appliedRevision").asString()).isEqualTo(good);
        assertThat(s.path("gate").path("quarantined").asString()).isEqualTo(slow);
        assertThat(s.path("lastError").asString()).contains("the agent stopped 3 times inside the window");
        assertThat(Files.readString(tmp.resolve("root/etc/version"))).isEqualTo("1\n");
    }

    @Test
    void aCrashingPush_isRolledBackToTheVerifiedRevision_quarantined_shownRolledBack_andTheNextGoodPushApplies() throws Exception {
        TestRepo origin = TestRepo.create(tmp.resolve("origin.git"));
        String good = origin.commit("good", workload("1", "exec sleep 1000", "2s"));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString(), "run", "--repo", origin.fileUrl(), "--hostname", "dev1",
                "--state-dir", tmp.resolve("state").toString(), "--root", tmp.resolve("root").toString(),
                "--runtime", "process", "--interval", "1s", "--reconcile-interval", "1s", "--stop-grace", "3s",
                "--listen", "127.0.0.1:0"));
        Path log = tmp.resolve("daemon.log");
        daemon = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        await().atMost(PATIENCE).until(() -> Files.readString(log).contains("GatePassed " + good.substring(0, 12)));

        String bad = origin.commit("bad", workload("2", "echo listening on 8080; echo 'fatal: config missing' >&2; exit 3", "30s"));
        long pushed = System.nanoTime();
        await().atMost(PATIENCE).until(() -> "RolledBack".equals(status().path("phase").asString()));
        double seconds = (System.nanoTime() - pushed) / 1e9;
        JsonNode s = status();
        assertThat(s.path("appliedRevision").asString()).isEqualTo(good);
        assertThat(s.path("desiredRevision").asString()).isEqualTo(bad);
        assertThat(s.path("gate").path("state").asString()).isEqualTo("rolled-back");
        assertThat(s.path("gate").path("quarantined").asString()).isEqualTo(bad);
        assertThat(s.path("lastError").asString()).startsWith("GateFailed: " + bad.substring(0, 12) + " is quarantined: service web")
                .contains("exit 3").contains("fatal: config missing");
        assertThat(Files.readString(tmp.resolve("root/etc/version"))).isEqualTo("1\n");
        assertThat(seconds).as("rolled back within the window (30 s)").isLessThan(30);
        assertThat(Files.readString(log)).contains("GateFailed " + bad.substring(0, 12)).contains("RolledBack " + good.substring(0, 12));

        Run revisions = cli("revisions");
        assertThat(revisions.out()).contains("GATE");
        assertThat(revisions.out().lines().filter(l -> l.contains(bad.substring(0, 12))).findFirst().orElse(""))
                .contains("quarantined");
        assertThat(revisions.out().lines().filter(l -> l.contains(good.substring(0, 12))).findFirst().orElse(""))
                .contains("passed");

        Run notQuarantined = cli("retry", good.substring(0, 12));
        assertThat(notQuarantined.code()).isEqualTo(1);
        assertThat(notQuarantined.err()).isEqualTo("retry: " + good.substring(0, 12) + " is not quarantined\n");

        String fixed = origin.commit("fixed", workload("3", "exec sleep 1000", "2s"));
        await().atMost(PATIENCE).until(() -> fixed.equals(status().path("appliedRevision").asString())
                && "Synced".equals(status().path("phase").asString()));
        assertThat(Files.readString(tmp.resolve("root/etc/version"))).isEqualTo("3\n");
        await().atMost(PATIENCE).until(() -> Files.readString(log).contains("GatePassed " + fixed.substring(0, 12)));
    }
}
