package io.voltis.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.voltis.sync.store.ApplyRecord;
import io.voltis.sync.store.JobRun;
import io.voltis.sync.store.RevisionRecord;
import io.voltis.sync.store.RevisionStore;
import io.voltis.sync.testing.TestRepo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon as an operator runs it: the shaded jar in its own process, following a real Git
 * repository made from examples/repo-layout, with state and root in a temp dir.
 */
class AgentJarIT {

    private static final Path JAR = Fixtures.projectRoot().resolve("cli/target/voltis-agent.jar");
    private static final Duration PATIENCE = Duration.ofSeconds(90);

    @TempDir
    Path tmp;

    private final List<Process> daemons = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @AfterEach
    void stopDaemons() throws InterruptedException {
        for (Process p : daemons) {
            p.destroy();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    private Process daemon(TestRepo origin, String hostname) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString(), "run", "--repo", origin.fileUrl(), "--hostname", hostname,
                "--state-dir", tmp.resolve("state").toString(), "--root", tmp.resolve("root").toString(),
                "--runtime", "process", "--interval", "1s", "--reconcile-interval", "1s", "--stop-grace", "3s",
                "--listen", "127.0.0.1:0"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(tmp.resolve("daemon.log").toFile())).start();
        daemons.add(p);
        return p;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private Optional<String> get(int port) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? Optional.of(r.body()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** The service's running pid from the process runtime's pid file; -1 while it has none (restarting). */
    private long servicePid(String service) throws IOException {
        Path file = tmp.resolve("state/logs/" + service + ".pid");
        return Files.exists(file) ? Long.parseLong(Files.readString(file).strip().split("\\s+")[0]) : -1;
    }

    private String lastRevisionFile() throws IOException {
        return Files.readString(tmp.resolve("root/var/lib/hello-web/last-revision")).strip();
    }

    private static String demoDevice(String greeting, int port) {
        return "workload: hello-web\nlabels: {site: lab}\nvars:\n  greeting: \"" + greeting + "\"\n  port: \"" + port + "\"\n";
    }

    /**
     * The agent's own variables — the Git token above all — reach none of its children: the
     * real jar, started with secrets in its environment, runs a service, a job and an exec health
     * check that each write what they see.
     */
    @Test
    void secretsInTheAgentsEnvironment_reachNoChild() throws Exception {
        String token = "tok-7f3a9c-never-in-a-child";
        TestRepo origin = TestRepo.create(tmp.resolve("origin.git"));
        String dump = "env > \"$VOLTIS_ROOT/%s.env\"";
        origin.commit("dumps", Map.of("devices/dev1.yaml", "workload: app\n",
                "workloads/app/workload.yaml", "apiVersion: voltis/v1\n"
                        + "services:\n  - name: web\n    command: [sh, -c, '" + dump.formatted("service") + "; exec sleep 1000']\n"
                        + "    health: {exec: [sh, -c, '" + dump.formatted("probe") + "'], interval: 1s, timeout: 5s}\n"
                        + "jobs:\n  - name: once\n    run: [sh, -c, '" + dump.formatted("job") + "']\n    when: per-revision\n"));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString(), "run", "--repo", origin.fileUrl(), "--hostname", "dev1",
                "--state-dir", tmp.resolve("state").toString(), "--root", tmp.resolve("root").toString(),
                "--runtime", "process", "--interval", "1s", "--reconcile-interval", "1s", "--stop-grace", "3s",
                "--listen", "127.0.0.1:0"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(tmp.resolve("daemon.log").toFile()));
        Files.createDirectories(tmp.resolve("root"));
        builder.environment().put("VOLTIS_GIT_TOKEN", token);
        builder.environment().put("VOLTIS_GIT_PASSWORD", token + "-pw");
        builder.environment().put("AWS_SECRET_ACCESS_KEY", token + "-aws");
        daemons.add(builder.start());

        Path root = tmp.resolve("root");
        await().atMost(PATIENCE).until(() -> Files.exists(root.resolve("service.env")) && Files.exists(root.resolve("job.env"))
                && Files.exists(root.resolve("probe.env")));
        for (String child : List.of("service", "job", "probe")) {
            String env = Files.readString(root.resolve(child + ".env"));
            assertThat(env).as(child).doesNotContain(token).doesNotContain("VOLTIS_GIT").doesNotContain("AWS_SECRET")
                    .contains("PATH=");
        }
        assertThat(Files.readString(tmp.resolve("daemon.log"))).doesNotContain(token);
    }

    @Test
    void push_isApplied_killedServiceComesBack_invalidCommitIsHeldOff() throws Exception {
        int port = freePort();
        TestRepo origin = TestRepo.fromDirectory(tmp.resolve("origin.git"), Fixtures.projectRoot().resolve("examples/repo-layout"), "initial");
        origin.commit("demo on a free port", Map.of("devices/demo.yaml", demoDevice("Hello from the test", port)));
        Process agent = daemon(origin, "demo");

        await().atMost(PATIENCE).until(() -> get(port).orElse("").startsWith("Hello from the test"));
        assertThat(lastRevisionFile()).isEqualTo(origin.head());
        long firstWeb = servicePid("web");

        // a push: new greeting, the per-revision job runs again, the service restarts
        String pushed = origin.commit("new greeting", Map.of("devices/demo.yaml", demoDevice("Pushed greeting", port)));
        // the greeting file is written first (files step), the service restarts last (services step)
        await().atMost(PATIENCE).until(() -> servicePid("web") > 0 && servicePid("web") != firstWeb && get(port).orElse("").startsWith("Pushed greeting"));
        assertThat(lastRevisionFile()).isEqualTo(pushed);
        assertThat(Files.readString(tmp.resolve("root/etc/hello-web/greeting.txt"))).startsWith("Pushed greeting");

        // the service is killed: the runtime brings it back
        long web = servicePid("web");
        ProcessHandle.of(web).ifPresent(ProcessHandle::destroyForcibly);
        await().atMost(PATIENCE).until(() -> servicePid("web") > 0 && servicePid("web") != web && get(port).isPresent());

        // an invalid commit is recorded as bad and held off; the device keeps the pushed revision
        String bad = origin.commit("typo", Map.of("workloads/hello-web/workload.yaml",
                Files.readString(Fixtures.projectRoot().resolve("examples/repo-layout/workloads/hello-web/workload.yaml"))
                        .replace("restart: always", "restart: sometimes")));
        await().atMost(PATIENCE).until(() -> {
            try (RevisionStore store = RevisionStore.openClient(tmp.resolve("state"), Clock.systemUTC())) {
                return store.revision(bad).map(r -> r.validation() == RevisionRecord.Validation.INVALID).orElse(false);
            }
        });
        try (RevisionStore store = RevisionStore.openClient(tmp.resolve("state"), Clock.systemUTC())) {
            assertThat(store.revision(bad).orElseThrow().problems())
                    .contains("workloads/hello-web/workload.yaml:14:14: services[0].restart: 'sometimes' is not one of");
            assertThat(store.lastSuccessfulApply().orElseThrow().sha()).isEqualTo(pushed);
        }
        assertThat(get(port)).hasValueSatisfying(body -> assertThat(body).startsWith("Pushed greeting"));
        assertThat(lastRevisionFile()).isEqualTo(pushed);

        // SIGTERM: the daemon stops cleanly and takes its services with it
        long lastWeb = servicePid("web");
        agent.destroy();
        assertThat(agent.waitFor(60, TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(30)).until(() -> ProcessHandle.of(lastWeb).map(h -> !h.isAlive()).orElse(true));
    }

    @Test
    void cronJobsOfTheRunningRevision_runAgainAfterTheAgentRestarts() throws Exception {
        TestRepo origin = TestRepo.create(tmp.resolve("origin.git"));
        origin.commit("a cron job", Map.of("devices/dev.yaml", "workload: w\n",
                "workloads/w/workload.yaml", "apiVersion: voltis/v1\n"
                        + "jobs:\n  - {name: tick, schedule: \"* * * * * ?\", run: [sh, -c, \"echo tick >> $VOLTIS_ROOT/ticks\"]}\n"));
        Files.createDirectories(tmp.resolve("root"));
        Path ticks = tmp.resolve("root/ticks");
        Process first = daemon(origin, "dev");
        await().atMost(PATIENCE).until(() -> Files.exists(ticks) && Files.readAllLines(ticks).size() >= 2);
        first.destroy();
        assertThat(first.waitFor(60, TimeUnit.SECONDS)).isTrue();
        int before = Files.readAllLines(ticks).size();

        daemon(origin, "dev"); // nothing new in Git: the revision is not applied again, its schedule must still run

        await().atMost(PATIENCE).until(() -> Files.readAllLines(ticks).size() >= before + 2);
        try (RevisionStore store = RevisionStore.openClient(tmp.resolve("state"), Clock.systemUTC())) {
            assertThat(store.applies(10)).hasSize(1);
        }
    }

    @Test
    void killDashNineDuringAnApply_restartConverges_withoutRunningAJobAgain() throws Exception {
        TestRepo origin = TestRepo.create(tmp.resolve("origin.git"));
        Path started = tmp.resolve("root/migrate-started");
        origin.commit("slow migration", Map.of(
                "devices/dev.yaml", "workload: w\n",
                "workloads/w/workload.yaml", "apiVersion: voltis/v1\n"
                        + "jobs:\n"
                        + "  - {name: init, run: [sh, -c, \"echo once >> $VOLTIS_ROOT/init.log\"], when: once}\n"
                        + "  - {name: migrate, run: [sh, -c, \"touch $VOLTIS_ROOT/migrate-started; sleep 15\"], when: per-revision}\n"
                        + "services:\n  - {name: app, command: [sh, -c, \"exec sleep 1000\"]}\n"));
        Files.createDirectories(tmp.resolve("root"));
        Process first = daemon(origin, "dev");
        await().atMost(PATIENCE).until(() -> Files.exists(started));

        first.destroyForcibly();
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
        daemon(origin, "dev");

        await().atMost(PATIENCE).until(() -> {
            try (RevisionStore store = RevisionStore.openClient(tmp.resolve("state"), Clock.systemUTC())) {
                return store.lastSuccessfulApply().isPresent();
            }
        });
        try (RevisionStore store = RevisionStore.openClient(tmp.resolve("state"), Clock.systemUTC())) {
            assertThat(store.applies(10)).extracting(ApplyRecord::result)
                    .containsExactly(ApplyRecord.Result.SUCCEEDED, ApplyRecord.Result.INTERRUPTED);
            assertThat(store.applies(10).get(1).error()).isEqualTo("the agent stopped during this apply");
            assertThat(store.jobRuns("init", 10)).hasSize(1);
            // the migration outlived the killed agent; the new one waited for it and took its result
            assertThat(store.jobRuns("migrate", 10)).extracting(JobRun::result).containsExactly(JobRun.Result.SUCCEEDED);
            assertThat(store.jobRuns("migrate", 10).get(0).output()).contains("ran on after the previous agent stopped");
        }
        assertThat(Files.readString(tmp.resolve("root/init.log"))).isEqualTo("once\n");
    }

    private record Once(int exit, String out) {
    }

    private Once once(TestRepo origin, String hostname) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                JAR.toString(), "run", "--once", "--repo", origin.fileUrl(), "--hostname", hostname,
                "--state-dir", tmp.resolve("state-" + hostname).toString(), "--root", tmp.resolve("root").toString(),
                "--runtime", "process").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Once(p.exitValue(), out);
    }

    @Test
    void damagedStoreFile_isSetAside_andTheDeviceConvergesFromGit_withAStoreRebuiltEvent() throws Exception {
        TestRepo origin = TestRepo.create(tmp.resolve("origin.git"));
        String head = origin.commit("one", Map.of("devices/dev.yaml", "workload: w\n",
                "workloads/w/workload.yaml", "apiVersion: voltis/v1\nfiles:\n  - {source: motd, target: etc/motd}\n",
                "workloads/w/motd", "hello\n"));
        assertThat(once(origin, "dev").exit()).isZero();
        Path state = tmp.resolve("state-dev");
        try (java.io.RandomAccessFile file = new java.io.RandomAccessFile(state.resolve("db/voltis.mv.db").toFile(), "rw")) {
            byte[] garbage = new byte[8192]; // both copies of H2's file header, as a torn write leaves them
            java.util.Arrays.fill(garbage, (byte) 0x5a);
            file.write(garbage);
        }
        Files.delete(tmp.resolve("root/etc/motd"));

        Once r = once(origin, "dev");

        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out()).contains("StoreRebuilt: the revision store was damaged and was rebuilt empty; the damaged file is kept as "
                + state.resolve("db/voltis.mv.db.corrupt-"));
        assertThat(Files.readString(tmp.resolve("root/etc/motd"))).isEqualTo("hello\n");
        try (var files = Files.list(state.resolve("db"))) {
            assertThat(files.map(f -> f.getFileName().toString()))
                    .anyMatch(f -> f.matches("voltis\\.mv\\.db\\.corrupt-\\d{8}T\\d{6}Z"))
                    .anyMatch(f -> f.matches("secret\\.corrupt-\\d{8}T\\d{6}Z"));
        }
        try (RevisionStore store = RevisionStore.openClient(state, Clock.systemUTC())) {
            assertThat(store.events(100)).anySatisfy(e -> {
                assertThat(e.type()).isEqualTo("StoreRebuilt");
                assertThat(e.message()).contains("lost: the history, any CLI pin");
            });
            assertThat(store.lastSuccessfulApply().orElseThrow().sha()).isEqualTo(head);
        }
    }

    @Test
    void once_exits0WhenConverged_and1WhenTheRevisionIsInvalid() throws Exception {
        TestRepo origin = TestRepo.create(tmp.resolve("origin.git"));
        origin.commit("two devices", Map.of(
                "devices/good.yaml", "workload: ok\n",
                "devices/bad.yaml", "workload: broken\n",
                "workloads/ok/workload.yaml", "apiVersion: voltis/v1\njobs:\n  - {name: hello, run: [sh, -c, \"echo hi\"], when: per-revision}\n",
                "workloads/broken/workload.yaml", "apiVersion: voltis/v1\nservices:\n  - {name: x, command: [sh], restart: sometimes}\n"));

        Once good = once(origin, "good");
        Once bad = once(origin, "bad");

        assertThat(good.exit()).as(good.out()).isZero();
        assertThat(good.out()).contains("Synced: applied " + origin.head().substring(0, 12));
        assertThat(bad.exit()).as(bad.out()).isEqualTo(1);
        assertThat(bad.out()).contains("Failed: applied none").contains("'sometimes' is not one of always|on-failure|never");
    }

    @Test
    void once_sourceUnreachable_exits3WithTheReason_whetherOrNotARevisionWasApplied() throws Exception {
        TestRepo origin = TestRepo.create(tmp.resolve("origin.git"));
        String head = origin.commit("one device", Map.of("devices/good.yaml", "workload: ok\n",
                "workloads/ok/workload.yaml", "apiVersion: voltis/v1\njobs:\n  - {name: hello, run: [sh, -c, \"echo hi\"], when: per-revision}\n"));
        assertThat(once(origin, "good").exit()).isZero();
        Files.move(origin.dir(), tmp.resolve("moved.git"));

        Once known = once(origin, "good");      // the state knows the applied revision
        Once fresh = once(origin, "never-ran"); // nothing applied yet

        assertThat(known.exit()).as(known.out()).isEqualTo(3);
        assertThat(known.out()).contains("Synced: applied " + head.substring(0, 12) + ", desired " + head.substring(0, 12)
                + "; source failing: GitUnreachable: no Git repository at");
        assertThat(fresh.exit()).as(fresh.out()).isEqualTo(3);
        assertThat(fresh.out()).contains("Progressing: applied none, desired none; source failing: GitUnreachable");
    }

    @Test
    void once_crashLoopingService_exits4NamingIt() throws Exception {
        TestRepo origin = TestRepo.create(tmp.resolve("origin.git"));
        origin.commit("a service that exits at once", Map.of("devices/good.yaml", "workload: loop\n",
                "workloads/loop/workload.yaml", "apiVersion: voltis/v1\nservices:\n"
                        + "  - {name: flaky, command: [sh, -c, \"echo starting; exit 7\"], restart: always}\n"
                        + "  - {name: steady, command: [sh, -c, \"exec sleep 1000\"]}\n"));

        Once loop = once(origin, "good");

        assertThat(loop.exit()).as(loop.out()).isEqualTo(4);
        assertThat(loop.out()).contains("Degraded: applied ").contains("; not running as desired: flaky (")
                .contains("exited with code 7").doesNotContain("steady (");
    }

    @Test
    void once_serviceThatExitsASecondAfterItsStart_isNotReportedSynced() throws Exception {
        TestRepo origin = TestRepo.create(tmp.resolve("origin.git"));
        origin.commit("a service that dies after a second", Map.of("devices/good.yaml", "workload: late\n",
                "workloads/late/workload.yaml", "apiVersion: voltis/v1\nservices:\n"
                        + "  - {name: late, command: [sh, -c, \"echo up; sleep 1; echo cannot open /etc/late.conf; exit 3\"],"
                        + " restart: always}\n"));

        Once r = once(origin, "good");

        assertThat(r.exit()).as(r.out()).isEqualTo(4);
        assertThat(r.out()).contains("; not running as desired: late (").doesNotContain("Synced: ");
    }

    /**
     * JGit measures a file store's timestamp resolution by writing {@code .probe-*} files where it
     * reads, unless told the answer; an operator's {@code file://} repository must not be written
     * to. Watched from this JVM while the agent runs in its own (an in-process check would find
     * JGit's per-process cache already filled by the test's own repository).
     */
    @Test
    void once_fileUrl_writesNothingIntoTheSourceRepository() throws Exception {
        // a working copy made by git itself, as an operator's `git init` makes it (JGit probed its .git/objects)
        Path source = tmp.resolve("fleet");
        Files.createDirectories(source.resolve("devices"));
        Files.createDirectories(source.resolve("workloads/ok"));
        Files.writeString(source.resolve("devices/good.yaml"), "workload: ok\n");
        Files.writeString(source.resolve("workloads/ok/workload.yaml"),
                "apiVersion: voltis/v1\njobs:\n  - {name: hello, run: [sh, -c, \"echo hi\"], when: per-revision}\n");
        git(source, "init", "-q", "-b", "main");
        git(source, "add", "-A");
        git(source, "-c", "user.name=op", "-c", "user.email=op@example.invalid", "commit", "-q", "-m", "one device");
        List<String> created = new ArrayList<>();
        try (java.nio.file.WatchService watch = source.getFileSystem().newWatchService();
             var walk = Files.walk(source)) {
            for (Path dir : walk.filter(Files::isDirectory).toList()) {
                dir.register(watch, java.nio.file.StandardWatchEventKinds.ENTRY_CREATE);
            }
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                    JAR.toString(), "run", "--once", "--repo", source.toUri().toString(), "--hostname", "good",
                    "--state-dir", tmp.resolve("state").toString(), "--root", tmp.resolve("root").toString(),
                    "--runtime", "process").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(out).isZero();
            for (java.nio.file.WatchKey key = watch.poll(); key != null; key = watch.poll()) {
                for (var event : key.pollEvents()) {
                    created.add(key.watchable() + "/" + event.context());
                }
                key.reset();
            }
        }
        assertThat(created).as("files created in the source repository").isEmpty();
    }

    private static void git(Path dir, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("git", "-C", dir.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("git " + String.join(" ", args) + ": " + out).isZero();
    }

    @Test
    void run_withABadFlag_isUsageExit2_oneLine() throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                JAR.toString(), "run", "--repo", "file:///nowhere", "--interval", "often").start();
        String err = new String(p.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(err).startsWith("voltis-agent: --interval: 'often' is not a duration such as 500ms, 5s, 2m, 1h30m\n");
    }
}
