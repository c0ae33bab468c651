package io.voltis.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.voltis.sync.store.ApplyRecord;
import io.voltis.sync.store.RevisionStore;
import io.voltis.sync.testing.TestRepo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code voltis-agent run} stopped the way systemd and a terminal stop it: the shaded jar in its
 * own process gets SIGTERM ({@link Process#destroy()}) or SIGINT ({@code kill -INT}), exits 0 —
 * systemd marks the unit failed on anything else — and leaves its store closed, so the next start
 * opens it and finds no apply cut short.
 */
class StopSignalsJarIT {

    private static final Path JAR = Fixtures.projectRoot().resolve("cli/target/voltis-agent.jar");
    private static final Duration PATIENCE = Duration.ofSeconds(90);

    @TempDir
    Path tmp;

    private TestRepo origin;
    private final List<Process> daemons = new ArrayList<>();

    @BeforeEach
    void setUp() {
        origin = TestRepo.create(tmp.resolve("origin.git"));
        origin.commit("one service", Map.of(
                "devices/dev.yaml", "workload: w\n",
                "workloads/w/workload.yaml", "apiVersion: voltis/v1\n"
                        + "services:\n  - {name: app, command: [sh, -c, \"exec sleep 1000\"]}\n"));
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        for (Process p : daemons) {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
        origin.close();
    }

    @Test
    void sigterm_exits0_andTheNextStartOpensTheStore() throws Exception {
        Process first = startAndAwaitApplied("first.log");

        first.destroy(); // SIGTERM

        assertCleanStop(first, "first.log", "SIGTERM");
        Process second = startAndAwaitStoreOpened("second.log");
        second.destroy();
        assertCleanStop(second, "second.log", "SIGTERM");
        assertThat(Files.readString(tmp.resolve("second.log"))).doesNotContain("marked INTERRUPTED");
    }

    @Test
    void sigint_exits0_andTheNextStartOpensTheStore() throws Exception {
        Process first = startAndAwaitApplied("first.log");

        kill("-INT", first);

        assertCleanStop(first, "first.log", "SIGINT");
        Process second = startAndAwaitStoreOpened("second.log");
        kill("-INT", second);
        assertCleanStop(second, "second.log", "SIGINT");
        assertThat(Files.readString(tmp.resolve("second.log"))).doesNotContain("marked INTERRUPTED");
    }

    private Process start(String log) throws IOException {
        // A shell's background job starts with SIGINT ignored and a child inherits that: reset it, as systemd does.
        Process p = new ProcessBuilder("env", "--default-signal=INT,TERM",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString(), "run",
                "--repo", origin.fileUrl(), "--hostname", "dev", "--state-dir", tmp.resolve("state").toString(),
                "--root", tmp.resolve("root").toString(), "--runtime", "process", "--interval", "1s",
                "--reconcile-interval", "1s", "--stop-grace", "3s", "--listen", "127.0.0.1:0")
                .redirectErrorStream(true).redirectOutput(tmp.resolve(log).toFile()).start();
        daemons.add(p);
        return p;
    }

    private Process startAndAwaitApplied(String log) throws IOException {
        Process p = start(log);
        await().atMost(PATIENCE).until(() -> {
            try (RevisionStore store = RevisionStore.openClient(tmp.resolve("state"), Clock.systemUTC())) {
                return store.lastSuccessfulApply().isPresent();
            } catch (RuntimeException e) {
                return false; // not created yet
            }
        });
        await().atMost(PATIENCE).until(() -> Files.readString(tmp.resolve(log)).contains("voltis-agent following"));
        return p;
    }

    private Process startAndAwaitStoreOpened(String log) throws IOException {
        Process p = start(log);
        await().atMost(PATIENCE).until(() -> !p.isAlive() || Files.readString(tmp.resolve(log)).contains("voltis-agent following"));
        assertThat(p.isAlive()).as(Files.readString(tmp.resolve(log))).isTrue();
        assertThat(Files.readString(tmp.resolve(log))).contains("revision store " + tmp.resolve("state/db"));
        return p;
    }

    private void assertCleanStop(Process p, String log, String signal) throws Exception {
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = Files.readString(tmp.resolve(log));
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).contains(signal + " received", "voltis-agent stopping");
        assertThat(tmp.resolve("state/db/server")).as("the store's server port file, removed on close").doesNotExist();
        try (RevisionStore store = RevisionStore.openClient(tmp.resolve("state"), Clock.systemUTC())) {
            assertThat(store.applies(10)).extracting(ApplyRecord::result).containsOnly(ApplyRecord.Result.SUCCEEDED);
        }
    }

    private static void kill(String signal, Process p) throws Exception {
        Process kill = new ProcessBuilder("kill", signal, Long.toString(p.pid())).redirectErrorStream(true).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }
}
