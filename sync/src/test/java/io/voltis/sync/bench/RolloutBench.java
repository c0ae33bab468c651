package io.voltis.sync.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.voltis.model.CronCheck;
import io.voltis.model.HostResolver;
import io.voltis.sync.InFlight;
import io.voltis.sync.Poller;
import io.voltis.sync.Preparation;
import io.voltis.sync.Preparer;
import io.voltis.sync.Rollout;
import io.voltis.sync.Unpacker;
import io.voltis.sync.git.GitCredentials;
import io.voltis.sync.git.GitMirror;
import io.voltis.sync.git.GitSourceSpec;
import io.voltis.sync.store.RevisionStore;
import io.voltis.sync.testing.TestRepo;

/**
 * A staged rollout across a simulated fleet (bench/rollout.sh runs this): N devices, each with
 * the agent's real store, mirror, poller, preparer and {@link Rollout}, polling one real Git repo
 * (file://) every interval and deciding every 5 s (the agent's reconcile tick), each on its own
 * phase, and each deciding alone when to move. A device "applies" by
 * recording the head as what it runs (files and services are the agent's, measured elsewhere).
 *
 * <p>Round {@code waves}: a release with waves canary (label, 1 % of devices) / 10 % after A /
 * 100 % after B; the count of devices running it is sampled every second and compared with the
 * plan. Round {@code pause}: the next release, then a commit that only sets {@code pause: true}
 * at P; no device may move once it has seen the pause. Every move is checked against its own
 * wave's time (none may come early). Prints key/value lines and a CSV of the samples.
 *
 * <p>Args: work-dir agents interval-s after-a-s after-b-s round-s pause-at-s threads
 */
public final class RolloutBench {

    private final List<Device> devices = new ArrayList<>();
    private final TestRepo origin;
    private final Duration interval;
    private ScheduledExecutorService pool;

    /** One simulated device: what it runs, and when and in which wave it moved. */
    static final class Device {
        final String hostname;
        final RevisionStore store;
        final GitMirror mirror;
        final Poller poller;
        final Preparer preparer;
        final Rollout rollout;
        volatile String applied;
        volatile long movedAt;
        volatile String movedWave;
        volatile Instant eligibleAt;
        volatile boolean sawPause;
        volatile boolean movedAfterPause;
        final AtomicInteger failures = new AtomicInteger();

        Device(Path state, String url, String hostname, String machineId) throws Exception {
            this.hostname = hostname;
            this.store = RevisionStore.openOwner(state, Clock.systemUTC());
            this.mirror = GitMirror.open(state.resolve("mirror"), state.resolve("ssh"),
                    new GitSourceSpec(url, "main", "", GitCredentials.NONE));
            this.poller = new Poller(mirror, store, Clock.systemUTC(), Duration.ofMinutes(10));
            this.preparer = new Preparer(mirror, store, new HostResolver(CronCheck.LENIENT), new Unpacker(state.resolve("revisions")),
                    hostname, InFlight.none());
            this.rollout = new Rollout(mirror, store, preparer, machineId + "/" + hostname);
        }

        /** One poll, as the agent's poll job runs it. */
        synchronized void poll() {
            try {
                poller.poll();
            } catch (RuntimeException e) {
                failures.incrementAndGet();
            }
        }

        /** One decision, as the agent's reconcile tick makes it. */
        synchronized void tick() {
            try {
                Optional<String> head = mirror.localHead();
                if (head.isEmpty() || head.get().equals(applied)) {
                    return;
                }
                Preparation p = preparer.prepare(head.get());
                if (!(p instanceof Preparation.Ready ready)) {
                    failures.incrementAndGet();
                    return;
                }
                Instant now = Instant.now();
                Optional<Rollout.Verdict> v = rollout.check(applied, ready, now);
                if (v.isPresent() && v.get().state() == Rollout.State.PAUSED) {
                    sawPause = true;
                }
                if (v.isEmpty() || !v.get().holds()) {
                    if (sawPause && applied != null && v.isPresent() && v.get().state() != Rollout.State.CURRENT) {
                        movedAfterPause = true;
                    }
                    if (v.isPresent() && v.get().state() == Rollout.State.ELIGIBLE) {
                        movedAt = System.currentTimeMillis();
                        movedWave = v.get().wave();
                        eligibleAt = v.get().eligibleAt();
                    }
                    applied = head.get();
                }
            } catch (Exception | Error e) {
                failures.incrementAndGet();
                if (failures.get() == 1) {
                    System.err.println("rollout: " + hostname + ": " + e);
                }
            }
        }
    }

    RolloutBench(TestRepo origin, Duration interval) {
        this.origin = origin;
        this.interval = interval;
    }

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        int n = Integer.parseInt(args[1]);
        int intervalS = Integer.parseInt(args[2]);
        int afterA = Integer.parseInt(args[3]);
        int afterB = Integer.parseInt(args[4]);
        int roundS = Integer.parseInt(args[5]);
        int pauseAt = Integer.parseInt(args[6]);
        int threads = Integer.parseInt(args[7]);
        int canaries = Math.max(1, n / 100);
        TestRepo origin = TestRepo.create(work.resolve("origin.git"));
        origin.commitTimesFrom(Instant.now().minusSeconds(3600));
        RolloutBench bench = new RolloutBench(origin, Duration.ofSeconds(intervalS));
        out("agents", n);
        out("canaries", canaries);
        out("interval_s", intervalS);
        out("waves", "canary (ring=canary) at once / early 10% after " + afterA + "s / all 100% after " + afterB + "s");
        out("threads", threads);
        String v1 = origin.commit("v1", release(n, canaries, "1", null));
        long setup0 = System.nanoTime();
        Random random = new Random(42);
        for (int i = 0; i < n; i++) {
            String host = String.format("d%05d", i);
            // a machine id as systemd makes them: 128 random bits in hex
            String machineId = String.format("%016x%016x", random.nextLong(), random.nextLong());
            bench.devices.add(new Device(work.resolve("agents/" + host), origin.fileUrl(), host, machineId));
        }
        bench.startPolling(threads);
        bench.waitUntil(v1, n, Duration.ofSeconds(Math.max(120, n / 4)));
        out("setup_s", String.format("%.1f", (System.nanoTime() - setup0) / 1e9));

        String plan = "rollout:\n  waves:\n    - {name: canary, labels: {ring: canary}}\n"
                + "    - {name: early, percent: 10, after: " + afterA + "s}\n"
                + "    - {name: all, percent: 100, after: " + afterB + "s}\n";
        origin.commitTimesFrom(Instant.now().minusSeconds(1800)); // commit times in the past: the devices' sight starts the clock
        bench.round("waves", n, canaries, release(n, canaries, "2", plan), null, roundS, pauseAt, afterA, afterB);
        bench.round("pause", n, canaries, release(n, canaries, "3", plan), release(n, canaries, "3",
                plan.replace("rollout:\n", "rollout:\n  pause: true\n")), roundS, pauseAt, afterA, afterB);
        System.exit(0); // the stores are not closed: each close compacts its file; the script deletes the folder
    }

    static Map<String, String> release(int n, int canaries, String version, String plan) {
        Map<String, String> files = new HashMap<>();
        for (int i = 0; i < n; i++) {
            files.put(String.format("devices/d%05d.yaml", i), "workload: app\nlabels: {ring: " + (i < canaries ? "canary" : "stable")
                    + "}\n");
        }
        files.put("workloads/app/files/version", version + "\n");
        files.put("workloads/app/workload.yaml", "apiVersion: voltis/v1\nfiles:\n  - {source: files/version, target: etc/version}\n"
                + (plan == null ? "" : plan));
        return files;
    }

    /** NOTE: the agent's default reconcile interval (docs/configuration.md). */
    static final Duration TICK = Duration.ofSeconds(5);

    /** Each device polls every interval and decides every {@link #TICK}, at phases of its own. */
    private void startPolling(int threads) {
        pool = Executors.newScheduledThreadPool(threads);
        Random jitter = new Random(7);
        long ms = interval.toMillis();
        long tick = Math.min(TICK.toMillis(), ms);
        for (Device d : devices) {
            pool.scheduleAtFixedRate(d::poll, jitter.nextLong(ms), ms, TimeUnit.MILLISECONDS);
            pool.scheduleAtFixedRate(d::tick, jitter.nextLong(tick), tick, TimeUnit.MILLISECONDS);
        }
    }

    private void waitUntil(String sha, int n, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (running(sha) < n && System.nanoTime() < deadline) {
            Thread.sleep(500);
        }
        if (running(sha) < n) {
            throw new IllegalStateException("only " + running(sha) + " of " + n + " devices run the first release after " + limit);
        }
    }

    private int running(String sha) {
        int count = 0;
        for (Device d : devices) {
            if (sha.equals(d.applied)) {
                count++;
            }
        }
        return count;
    }

    private int runningAny(String... shas) {
        int count = 0;
        for (Device d : devices) {
            for (String sha : shas) {
                if (sha != null && sha.equals(d.applied)) {
                    count++;
                    break;
                }
            }
        }
        return count;
    }

    /** One release rolled out for {@code seconds}; with {@code pause}, that commit at {@code pauseAt}. */
    private void round(String name, int n, int canaries, Map<String, String> release, Map<String, String> pause, int seconds,
                       int pauseAt, int afterA, int afterB) throws Exception {
        for (Device d : devices) {
            d.movedAt = 0;
            d.movedWave = null;
            d.eligibleAt = null;
            d.sawPause = false;
            d.movedAfterPause = false;
        }
        long t0 = System.currentTimeMillis();
        String sha = origin.commit(name, release);
        String paused = null;
        int atPause = -1;
        List<String> samples = new ArrayList<>();
        for (int s = 1; s <= seconds; s++) {
            long wake = t0 + s * 1000L;
            Thread.sleep(Math.max(0, wake - System.currentTimeMillis()));
            if (pause != null && paused == null && s >= pauseAt) {
                paused = origin.commit(name + " paused", pause);
                atPause = runningAny(sha, paused);
            }
            int moved = runningAny(sha, paused);
            samples.add(s + "," + moved + "," + expected(s, n, canaries, afterA, afterB, pause == null ? Integer.MAX_VALUE : pauseAt));
        }
        int early = 0;
        int canaryMoved = 0;
        int earlyMoved = 0;
        int allMoved = 0;
        long firstAfterA = Long.MAX_VALUE;
        long firstAfterB = Long.MAX_VALUE;
        int movedAfterPause = 0;
        for (Device d : devices) {
            if (d.movedAt > 0 && d.eligibleAt != null && d.movedAt < d.eligibleAt.toEpochMilli()) {
                early++;
            }
            if (d.movedAfterPause) {
                movedAfterPause++;
            }
            if (d.movedWave != null) {
                switch (d.movedWave) {
                    case "canary" -> canaryMoved++;
                    case "early" -> {
                        earlyMoved++;
                        firstAfterA = Math.min(firstAfterA, d.movedAt - t0);
                    }
                    default -> {
                        allMoved++;
                        firstAfterB = Math.min(firstAfterB, d.movedAt - t0);
                    }
                }
            }
        }
        int failures = devices.stream().mapToInt(d -> d.failures.get()).sum();
        out("round", name);
        out("release", sha.substring(0, 12));
        out("moved", runningAny(sha, paused) + " of " + n);
        out("moved_canary", canaryMoved);
        out("moved_early", earlyMoved + " (expected ~" + Math.round((n - canaries) * 0.1) + ")");
        out("moved_all", allMoved);
        out("first_early_move_s", firstAfterA == Long.MAX_VALUE ? "-" : String.format("%.1f", firstAfterA / 1000.0));
        out("first_all_move_s", firstAfterB == Long.MAX_VALUE ? "-" : String.format("%.1f", firstAfterB / 1000.0));
        out("moves_before_their_wave", early);
        out("failures", failures);
        if (pause != null) {
            out("pause_at_s", pauseAt);
            out("moved_at_pause", atPause);
            out("moved_after_seeing_the_pause", movedAfterPause);
            out("saw_the_pause", devices.stream().filter(d -> d.sawPause).count());
        }
        samples.forEach(line -> out("sample " + name, line));
    }

    /** The plan's count at second {@code s}: canaries at once, then a tenth of the rest, then all (none after a pause). */
    static long expected(int s, int n, int canaries, int afterA, int afterB, int pauseAt) {
        int t = Math.min(s, pauseAt);
        double count = canaries;
        if (t >= afterA) {
            count += (n - canaries) * 0.1;
        }
        if (t >= afterB) {
            count = n;
        }
        return Math.round(count);
    }

    static void out(String key, Object value) {
        System.out.println(key + " " + value);
    }
}
