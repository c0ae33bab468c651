package io.voltis.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.voltis.sync.store.Event;
import io.voltis.sync.store.JobRun;
import io.voltis.sync.store.RevisionRecord;
import io.voltis.sync.store.RevisionStore;
import io.voltis.sync.testing.TestRepo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Big files, and a revision that kills the agent, against the shaded jar started by the .deb's
 * own launcher (packaging/src/deb/bin/voltis-agent), so it runs with the launcher's flags:
 * a 64 MiB heap and exit on OutOfMemoryError.
 *
 * <p>The big file is pseudo-random, so neither Git nor the archive's gzip can shrink it: every
 * step (the fetch, unpacking, hashing, writing the target, the tar.gz, the store's BLOB) handles
 * all of its bytes. {@code -Dvoltis.bigFileMiB=N} sets its size (default 200; a shorter run can
 * use 100).
 */
class BigFileJarIT {

    private static final Path JAR = Fixtures.projectRoot().resolve("cli/target/voltis-agent.jar");
    private static final Path LAUNCHER = Fixtures.projectRoot().resolve("packaging/src/deb/bin/voltis-agent");
    private static final Duration PATIENCE = Duration.ofMinutes(4);
    private static final int BIG_MIB = Integer.getInteger("voltis.bigFileMiB", 200);

    @TempDir
    Path tmp;

    private final List<Process> daemons = new ArrayList<>();
    private final List<Long> strays = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private int port;

    @AfterEach
    void stop() throws InterruptedException {
        for (Process p : daemons) {
            p.destroy();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        strays.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }

    private Process daemon(TestRepo origin, String... extra) throws IOException {
        port = freePort();
        List<String> command = new ArrayList<>(List.of("sh", LAUNCHER.toString(), "run", "--repo", origin.fileUrl(),
                "--hostname", "dev", "--state-dir", tmp.resolve("state").toString(), "--root", tmp.resolve("root").toString(),
                "--runtime", "process", "--interval", "1s", "--reconcile-interval", "1s", "--stop-grace", "3s",
                "--listen", "127.0.0.1:" + port));
        command.addAll(List.of(extra));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(tmp.resolve("daemon.log").toFile()));
        builder.environment().put("VOLTIS_JAR", JAR.toString());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = builder.start();
        daemons.add(p);
        // the launcher execs the JVM: the process is the agent itself, with the launcher's heap
        await().atMost(Duration.ofSeconds(30)).until(() -> commandLine(p).contains("-Xmx64m"));
        assertThat(commandLine(p)).contains("-XX:+ExitOnOutOfMemoryError");
        return p;
    }

    private static String commandLine(Process p) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc/" + p.pid() + "/cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException e) {
            return "";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private Optional<JsonNode> status() {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/status"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? Optional.of(JsonMapper.builder().build().readTree(r.body())) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? "" : value.asString();
    }

    private String applied() {
        return status().map(s -> text(s, "appliedRevision")).orElse("");
    }

    /** Writes {@code mib} MiB of pseudo-random bytes (incompressible), 1 MiB at a time; returns their SHA-256. */
    private static String randomFile(Path file, int mib, long seed) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        SplittableRandom random = new SplittableRandom(seed);
        byte[] chunk = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int i = 0; i < mib; i++) {
                random.nextBytes(chunk);
                digest.update(chunk);
                out.write(chunk);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static final String WORKLOAD = "apiVersion: voltis/v1\n"
            + "files:\n"
            + "  - {source: data/big.bin, target: var/lib/big/big.bin}\n"
            + "  - {source: note.txt, target: etc/big/note.txt, template: true}\n"
            + "services:\n  - {name: app, command: [sh, -c, \"exec sleep 1000\"]}\n";

    private TestRepo smallRevision() {
        TestRepo origin = TestRepo.create(tmp.resolve("origin.git"));
        origin.commit("small", Map.of("devices/dev.yaml", "workload: big\n", "workloads/big/workload.yaml", WORKLOAD,
                "workloads/big/note.txt", "revision ${VOLTIS_REVISION}\n", "workloads/big/data/big.bin", "small\n"));
        return origin;
    }

    @Test
    void bigFile_isApplied_withTheLaunchersHeap_andTheAgentLives() throws Exception {
        TestRepo origin = smallRevision();
        Path big = tmp.resolve("big.bin");
        String want = randomFile(big, BIG_MIB, 42);
        String head = origin.commitFile(BIG_MIB + " MiB", "workloads/big/data/big.bin", big);
        Files.delete(big);
        Process agent = daemon(origin);

        await().atMost(PATIENCE).pollInterval(Duration.ofSeconds(1)).until(() -> head.equals(applied()));

        Path target = tmp.resolve("root/var/lib/big/big.bin");
        assertThat(Files.size(target)).isEqualTo((long) BIG_MIB << 20);
        assertThat(sha256(target)).isEqualTo(want);
        assertThat(sha256(tmp.resolve("state/revisions/" + head + "/data/big.bin"))).isEqualTo(want);
        assertThat(tmp.resolve("root/etc/big/note.txt")).hasContent("revision " + head);
        assertThat(agent.isAlive()).isTrue();
        assertThat(Files.readString(tmp.resolve("daemon.log"))).doesNotContain("OutOfMemoryError");
        try (RevisionStore store = RevisionStore.openClient(tmp.resolve("state"), Clock.systemUTC())) {
            assertThat(store.events(50)).extracting(Event::type).contains("Applied").doesNotContain("ArchiveFailed");
            long[] archived = new long[1];
            assertThat(store.archive(head, new OutputStream() {
                @Override
                public void write(int b) {
                    archived[0]++;
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    archived[0] += len;
                }
            })).isTrue();
            // random bytes do not compress: the archive in the store holds the whole file
            assertThat(archived[0]).isGreaterThan((long) BIG_MIB << 20);
        }
        assertThat(text(status().orElseThrow(), "phase")).isIn("Synced", "Progressing");
        assertThat(agent.isAlive()).isTrue();
    }

    @Test
    void fileOverMaxFileSize_failsNamingTheFileAndTheLimit_andTheLastGoodKeepsRunning() throws Exception {
        TestRepo origin = smallRevision();
        String good = origin.head();
        Process agent = daemon(origin, "--max-file-size", "16M");
        await().atMost(PATIENCE).until(() -> good.equals(applied()));
        long app = servicePid();

        Path big = tmp.resolve("big.bin");
        randomFile(big, 40, 7);
        String bad = origin.commitFile("40 MiB", "workloads/big/data/big.bin", big);

        String problem = "workloads/big/data/big.bin: 40 MiB (41943040 bytes) is over max-file-size (16 MiB)";
        await().atMost(PATIENCE).until(() -> status().map(s -> bad.equals(text(s, "desiredRevision"))
                && "Failed".equals(text(s, "phase"))).orElse(false));
        JsonNode s = status().orElseThrow();
        assertThat(text(s, "lastError")).isEqualTo("InvalidWorkload: revision " + bad.substring(0, 12) + " is invalid: " + problem);
        assertThat(text(s, "appliedRevision")).isEqualTo(good);
        try (RevisionStore store = RevisionStore.openClient(tmp.resolve("state"), Clock.systemUTC())) {
            assertThat(store.revision(bad).orElseThrow().validation()).isEqualTo(RevisionRecord.Validation.INVALID);
            assertThat(store.revision(bad).orElseThrow().problems()).isEqualTo(problem);
        }
        assertThat(tmp.resolve("state/revisions/" + bad)).doesNotExist();
        assertThat(tmp.resolve("root/var/lib/big/big.bin")).hasContent("small");
        assertThat(servicePid()).isEqualTo(app);
        assertThat(ProcessHandle.of(app).map(ProcessHandle::isAlive)).contains(true);
        assertThat(agent.isAlive()).isTrue();
    }

    /** The running pid of the service, from the process runtime's pid file; -1 while there is none. */
    private long servicePid() throws IOException {
        Path file = tmp.resolve("state/logs/app.pid");
        return Files.exists(file) ? Long.parseLong(Files.readString(file).strip().split("\\s+")[0]) : -1;
    }

    @Test
    void revisionTheAgentDiesOnThreeTimes_isQuarantined_andTheNextStartKeepsTheLastGood() throws Exception {
        TestRepo origin = smallRevision();
        String good = origin.head();
        Process agent = daemon(origin);
        await().atMost(PATIENCE).until(() -> good.equals(applied()));

        // a per-revision job that never ends stands for an apply the agent does not survive
        Path pids = tmp.resolve("root/hang.pids");
        String bad = origin.commit("hangs", Map.of("workloads/big/workload.yaml", WORKLOAD
                + "jobs:\n  - {name: hang, when: per-revision, timeout: 1h,"
                + " run: [sh, -c, \"echo $$ >> $VOLTIS_ROOT/hang.pids; exec sleep 1000\"]}\n"));
        Path inFlight = tmp.resolve("state/in-flight");
        await().atMost(PATIENCE).until(() -> Files.exists(pids) && Files.readAllLines(pids).size() == 1);
        long hang = Long.parseLong(Files.readAllLines(pids).get(0).strip());
        strays.add(hang);
        for (int attempt = 1; attempt <= 3; attempt++) {
            String record = "apply " + bad + " " + attempt;
            await().atMost(PATIENCE).until(() -> Files.exists(inFlight) && Files.readString(inFlight).strip().equals(record));
            agent.destroyForcibly();
            assertThat(agent.waitFor(30, TimeUnit.SECONDS)).isTrue();
            // the job outlives the killed agent; the next one waits for it rather than starting a second copy
            assertThat(Files.readAllLines(pids)).hasSize(1);
            agent = daemon(origin);
        }

        await().atMost(PATIENCE).until(() -> status().map(s -> text(s, "lastError").contains("quarantined")
                && "Failed".equals(text(s, "phase"))).orElse(false));
        JsonNode s = status().orElseThrow();
        assertThat(text(s, "lastError")).isEqualTo("Quarantined: revision " + bad.substring(0, 12) + " is invalid: quarantined:"
                + " the agent stopped 3 times in a row while applying " + bad.substring(0, 12)
                + " (out of memory, or killed); it is not tried again: push a newer commit or pin another revision");
        assertThat(text(s, "appliedRevision")).isEqualTo(good);
        await().atMost(PATIENCE).until(() -> servicePid() > 0 && ProcessHandle.of(servicePid()).map(ProcessHandle::isAlive).orElse(false));
        assertThat(inFlight).doesNotExist();
        try (RevisionStore store = RevisionStore.openClient(tmp.resolve("state"), Clock.systemUTC())) {
            assertThat(store.events(100)).extracting(Event::type).contains("RevisionQuarantined", "StepInterrupted");
            assertThat(store.lastSuccessfulApply().orElseThrow().sha()).isEqualTo(good);
        }
        // the job the dead agents left going is ended with the reason, not left to run unnoticed
        await().atMost(PATIENCE).until(() -> ProcessHandle.of(hang).map(h -> !h.isAlive()).orElse(true));
        await().atMost(PATIENCE).until(() -> {
            try (RevisionStore store = RevisionStore.openClient(tmp.resolve("state"), Clock.systemUTC())) {
                return store.jobRuns("hang", 5).stream().allMatch(r -> r.result() != JobRun.Result.RUNNING);
            }
        });
        try (RevisionStore store = RevisionStore.openClient(tmp.resolve("state"), Clock.systemUTC())) {
            assertThat(store.jobRuns("hang", 5)).singleElement().satisfies(r -> {
                assertThat(r.result()).isEqualTo(JobRun.Result.INTERRUPTED);
                assertThat(r.output()).contains("[voltis] ended: its revision " + bad.substring(0, 12) + " is quarantined");
            });
        }
        Thread.sleep(3000); // a few ticks: the quarantined revision is not tried again
        assertThat(Files.readAllLines(pids)).hasSize(1);
        assertThat(agent.isAlive()).isTrue();

        // a newer commit is tried as any other
        String fixed = origin.commit("fixed", Map.of("workloads/big/workload.yaml", WORKLOAD));
        await().atMost(PATIENCE).until(() -> fixed.equals(applied()));
    }
}
