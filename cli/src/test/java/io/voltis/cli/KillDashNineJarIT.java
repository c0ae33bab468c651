package io.voltis.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.voltis.sync.store.ApplyRecord;
import io.voltis.sync.store.Event;
import io.voltis.sync.store.JobRun;
import io.voltis.sync.store.RevisionStore;
import io.voltis.sync.testing.TestRepo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of the real jar, run with the launcher's flags, at random points of the apply of a
 * 200-file revision with a service and a 6-second per-revision job, again and again: each restart must
 * converge on the new revision, roll forward (the old revision's files and services never come
 * back), lose no record, keep one process per service, and never run the job twice at once or
 * twice for a revision once it succeeded. Iterations: {@code -Dfaults.iterations} (default 5);
 * seed: {@code -Dfaults.seed}.
 */
class KillDashNineJarIT {

    /** {@code -Dvoltis.jar} runs another build of the jar (an older one, to see these faults happen). */
    private static final Path JAR = Path.of(System.getProperty("voltis.jar",
            Fixtures.projectRoot().resolve("cli/target/voltis-agent.jar").toString()));
    /** NOTE: the footprint flags of packaging/src/deb/bin/voltis-agent. */
    static final List<String> LAUNCHER_FLAGS = List.of("-XX:+UseSerialGC", "-Xms16m", "-Xmx64m", "-Xss512k",
            "-XX:TieredStopAtLevel=1", "-XX:MaxMetaspaceSize=96m", "-XX:+ExitOnOutOfMemoryError", "-XX:-UsePerfData");
    private static final Duration PATIENCE = Duration.ofSeconds(120);
    private static final int FILES = 200;

    @TempDir
    Path tmp;

    private final List<Process> daemons = new ArrayList<>();

    @AfterEach
    void stopDaemons() throws InterruptedException {
        for (Process p : daemons) {
            p.destroy();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    /** The agents' output: in the temp dir, or under {@code -Dfaults.logDir} to keep it. */
    private Path daemonLog() throws IOException {
        String dir = System.getProperty("faults.logDir");
        if (dir == null) {
            return tmp.resolve("daemon.log");
        }
        Files.createDirectories(Path.of(dir));
        return Path.of(dir, "daemon-" + tmp.getFileName() + ".log");
    }

    private Path state() {
        return tmp.resolve("state");
    }

    private Path root() {
        return tmp.resolve("root");
    }

    private Process daemon(TestRepo origin) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(LAUNCHER_FLAGS);
        command.addAll(List.of("-jar", JAR.toString(), "run", "--repo", origin.fileUrl(), "--hostname", "dev",
                "--state-dir", state().toString(), "--root", root().toString(), "--runtime", "process",
                "--interval", "1s", "--reconcile-interval", "1s", "--stop-grace", "3s", "--listen", "127.0.0.1:0"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(daemonLog().toFile())).start();
        daemons.add(p);
        return p;
    }

    /** Generation {@code gen}: 200 files saying so, a service and a one-second per-revision job that log their revision. */
    private static Map<String, String> generation(int gen) {
        Map<String, String> files = new LinkedHashMap<>();
        StringBuilder yaml = new StringBuilder("apiVersion: voltis/v1\nfiles:\n");
        String padding = "x".repeat(2000) + "\n";
        for (int i = 0; i < FILES; i++) {
            String name = String.format("f%03d", i);
            files.put("workloads/w/files/" + name, "gen " + gen + "\n" + padding);
            yaml.append("  - {source: files/").append(name).append(", target: data/").append(name).append("}\n");
        }
        yaml.append("services:\n  - name: app\n    command: [sh, -c, \"echo start $0 >> ${VOLTIS_ROOT}/service.log;"
                + " exec sleep 100000\", \"${VOLTIS_REVISION}\"]\n");
        // a migration that outlasts an agent's restart and refuses to run beside another copy of
        // itself, as a real one holding a lock would
        yaml.append("jobs:\n  - name: migrate\n    when: per-revision\n    run: [sh, -c, \"mkdir ${VOLTIS_ROOT}/job.lock"
                + " || exit 1; echo start $0 >> ${VOLTIS_ROOT}/job.log; sleep 6; echo end $0 >> ${VOLTIS_ROOT}/job.log;"
                + " rmdir ${VOLTIS_ROOT}/job.lock\", \"${VOLTIS_REVISION}\"]\n");
        files.put("workloads/w/workload.yaml", yaml.toString());
        files.put("devices/dev.yaml", "workload: w\n");
        return files;
    }

    private RevisionStore store() {
        return RevisionStore.openClient(state(), Clock.systemUTC());
    }

    private boolean converged(String sha) throws IOException {
        try (RevisionStore store = store()) {
            if (!store.lastSuccessfulApply().map(a -> a.sha().equals(sha)).orElse(false)) {
                return false;
            }
        }
        List<String> started = lines(root().resolve("service.log"));
        return !started.isEmpty() && started.get(started.size() - 1).equals("start " + sha) && sleepers().size() == 1;
    }

    /** How many agents have started following the repo: each logs it once it has taken over from a killed one. */
    private long agentsFollowing() throws IOException {
        return lines(daemonLog()).stream().filter(l -> l.contains("voltis-agent following")).count();
    }

    private static List<String> lines(Path file) throws IOException {
        return Files.exists(file) ? Files.readAllLines(file) : List.of();
    }

    /**
     * Live {@code sleep 100000} processes (what the services run) working in this test's state
     * directory (services run in their unpacked revision): found as {@code ps} would, whatever
     * the agent did to track them.
     */
    private List<Long> sleepers() throws IOException {
        List<Long> found = new ArrayList<>();
        Path under = state().toRealPath();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path proc : procs) {
                try {
                    String stat = Files.readString(proc.resolve("stat"), StandardCharsets.ISO_8859_1);
                    char state = stat.charAt(stat.lastIndexOf(')') + 2);
                    String cmdline = Files.readString(proc.resolve("cmdline"), StandardCharsets.ISO_8859_1);
                    if (state != 'Z' && cmdline.equals("sleep\0" + "100000\0") && Files.readSymbolicLink(proc.resolve("cwd")).startsWith(under)) {
                        found.add(Long.parseLong(proc.getFileName().toString()));
                    }
                } catch (IOException | RuntimeException e) {
                    // gone while we looked
                }
            }
        }
        return found;
    }

    /** Watches data/f000 and data/f199: once a file shows the new generation, it must never show an older one. */
    private static final class RollBackWatch implements AutoCloseable {
        private final List<String> violations = new CopyOnWriteArrayList<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        RollBackWatch(Path root, int newGen) {
            thread = new Thread(() -> {
                Map<String, Boolean> sawNew = new HashMap<>();
                while (running.get()) {
                    for (String name : List.of("f000", "f199")) {
                        try {
                            String first = Files.readString(root.resolve("data/" + name)).lines().findFirst().orElse("");
                            if (first.equals("gen " + newGen)) {
                                sawNew.put(name, true);
                            } else if (sawNew.getOrDefault(name, false) && first.startsWith("gen ")) {
                                violations.add(name + " went back to '" + first + "' after showing gen " + newGen);
                            }
                        } catch (IOException e) {
                            // being replaced
                        }
                    }
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "roll-back-watch");
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join();
        }
    }

    @Test
    void killDashNineAtRandomPointsOfAnApply_convergesForward_losesNoRecord_runsNoJobTwice() throws Exception {
        int iterations = Integer.getInteger("faults.iterations", 5);
        long seed = Long.getLong("faults.seed", System.nanoTime());
        Random random = new Random(seed);
        Files.createDirectories(root());
        TestRepo origin = TestRepo.create(tmp.resolve("origin.git"));
        List<String> shas = new ArrayList<>();
        shas.add(origin.commit("gen 1", generation(1)));
        Process agent = daemon(origin);
        await().atMost(PATIENCE).ignoreExceptions().until(() -> converged(shas.get(0)));

        for (int i = 2; i <= iterations + 1; i++) {
            String sha = origin.commit("gen " + i, generation(i));
            shas.add(sha);
            long delay = random.nextInt(9000); // poll (1 s), 200 files, the 6 s job, the service
            Thread.sleep(delay);
            agent.destroyForcibly(); // SIGKILL
            assertThat(agent.waitFor(30, TimeUnit.SECONDS)).isTrue();
            // the files step comes first: a new f000 means the apply of the new revision had begun
            boolean began = Files.readString(root().resolve("data/f000")).startsWith("gen " + i + "\n");
            long eventsBefore;
            String appliedBefore;
            int servicesBefore = lines(root().resolve("service.log")).size();
            try (RevisionStore store = store()) {
                eventsBefore = store.events(1).isEmpty() ? 0 : store.events(1).get(0).id();
                appliedBefore = store.lastSuccessfulApply().map(ApplyRecord::sha).orElse(null);
            }
            long following = agentsFollowing();
            try (RollBackWatch watch = new RollBackWatch(root(), i)) {
                agent = daemon(origin);
                int gen = i;
                // a kill after the apply had finished leaves the device converged: judge it once the new agent took over
                await().atMost(PATIENCE).until(() -> agentsFollowing() > following);
                await().atMost(PATIENCE).ignoreExceptions().until(() -> converged(shas.get(gen - 1)));
                watch.close();
                String where = "seed " + seed + ", gen " + i + ", killed " + delay + " ms after the push, "
                        + (began ? "files begun" : "before the files");
                assertThat(watch.violations).as("files rolled back after the kill (%s)", where).isEmpty();
                List<String> startsAfterKill = lines(root().resolve("service.log")).subList(servicesBefore,
                        lines(root().resolve("service.log")).size());
                if (began) {
                    assertThat(startsAfterKill).as("services started after a kill during the apply (%s)", where)
                            .allMatch(line -> line.equals("start " + sha));
                } // else the agent had not begun to apply it: restarting the services it ran is not going back
                try (RevisionStore store = store()) {
                    List<Event> after = store.eventsAfter(eventsBefore, 1000);
                    assertThat(after).extracting(Event::type).as("events after the kill (%s)", where)
                            .doesNotContain("DriftCorrected", "ApplyFailed", "RestoreFailed");
                    List<String> applies = after.stream().filter(e -> e.type().equals("ApplyStarted"))
                            .map(Event::revision).toList();
                    assertThat(applies).as("applies after the kill: the new revision only (%s)", where)
                            .allMatch(sha::equals);
                    if (!sha.equals(appliedBefore)) { // a kill after the apply had succeeded leaves nothing to apply
                        assertThat(applies).as("the new revision applied after the kill (%s)", where).isNotEmpty();
                    }
                }
                assertThat(sleepers()).as("one process of the service (%s)", where).hasSize(1);
            }
        }

        // the job's log against the store: every start recorded, none at the same time, none again after success
        List<String> log = lines(root().resolve("job.log"));
        for (int k = 0; k < log.size(); k += 2) {
            assertThat(log.get(k)).as("line %d of job.log starts a run (seed %d): %s", k, seed, log).startsWith("start ");
            assertThat(k + 1 < log.size() ? log.get(k + 1) : "(nothing)").as("a run ends before the next starts (seed %d): %s",
                    seed, log).isEqualTo("end " + log.get(k).substring("start ".length()));
        }
        Set<String> succeeded = new TreeSet<>();
        for (String line : log) {
            if (line.startsWith("start ")) {
                assertThat(succeeded).as("a job ran again for a revision it had succeeded for (seed %d): %s", seed, log)
                        .doesNotContain(line.substring(6));
            } else {
                succeeded.add(line.substring(4));
            }
        }
        try (RevisionStore store = store()) {
            List<JobRun> runs = store.jobRuns("migrate", 1000);
            assertThat(runs).as("each run of the job is recorded (seed %d)", seed).hasSize(log.size() / 2);
            assertThat(runs).extracting(JobRun::result).as("and finished (seed %d)", seed).doesNotContain(JobRun.Result.RUNNING);
            for (String sha : shas) {
                assertThat(store.applies(1000)).as("the apply of %s is recorded (seed %d)", sha, seed)
                        .anyMatch(a -> a.sha().equals(sha) && a.result() == ApplyRecord.Result.SUCCEEDED);
            }
        }

        agent.destroy();
        assertThat(agent.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(sleepers()).as("the service stops with the agent").isEmpty();
    }

    @Test
    void setsidServiceRestartedFiveTimes_leavesNoOrphan_evenAcrossAKilledAgent() throws Exception {
        Files.createDirectories(root());
        TestRepo origin = TestRepo.create(tmp.resolve("origin.git"));
        String service = "services:\n  - name: d\n    env: {ROUND: \"%d\"}\n    command: [sh, -c, \"setsid sh -c 'exec sleep 100000'"
                + " </dev/null >/dev/null 2>&1 & echo up >> ${VOLTIS_ROOT}/d.log; exec sleep 100000\"]\n";
        Process agent = daemon(origin);
        for (int round = 1; round <= 5; round++) {
            origin.commit("round " + round, Map.of("devices/dev.yaml", "workload: w\n",
                    "workloads/w/workload.yaml", String.format(service, round)));
            int started = round;
            await().atMost(PATIENCE).ignoreExceptions().until(() -> lines(root().resolve("d.log")).size() == started
                    && sleepers().size() >= 2);
            assertThat(sleepers()).as("round %d: the service and its one daemon, no orphan of earlier rounds", round).hasSize(2);
        }

        agent.destroyForcibly();
        assertThat(agent.waitFor(30, TimeUnit.SECONDS)).isTrue();
        agent = daemon(origin);
        await().atMost(PATIENCE).ignoreExceptions().until(() -> lines(root().resolve("d.log")).size() == 6 && sleepers().size() >= 2);
        assertThat(sleepers()).as("after a kill -9 and a restart").hasSize(2);

        agent.destroy();
        assertThat(agent.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(sleepers()).as("stop reaches the daemon").isEmpty();
    }
}
