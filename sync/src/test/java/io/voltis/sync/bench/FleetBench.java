package io.voltis.sync.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

import io.voltis.sync.PollResult;

/**
 * A simulated fleet against one Git smart-HTTP server (bench/fleet.sh runs this): N agents'
 * real pollers in this JVM, scheduled by their own {@code PollSchedule} on a few shared threads,
 * and a {@link FleetServer} in a child process whose requests are counted every second and whose
 * CPU is read from {@code /proc}. A commit is pushed an interval before the end of each round. Prints one "key value" line
 * per figure (NOTE: bench/fleet.sh parses them). Not a test.
 *
 * <pre>java -cp ... io.voltis.sync.bench.FleetBench WORKDIR AGENTS DURATION_S INTERVAL_S MODE[,MODE] [THREADS]</pre>
 *
 * <p>MODE is jittered (each agent starts at its slot and follows its own schedule), clumped (every
 * agent polls first in the same second, as after a server outage, then follows its own schedule:
 * how fast the fleet spreads again) or lockstep (the baseline: every agent polls at the same
 * instants, each next poll one interval after the last, backoff as the agent's), hinted (a long interval
 * and MQTT hints; a hinted poll fetches at once, as the agent's) or hinted-refcheck (the same, but a
 * hinted poll checks the ref first: the baseline); the same agents run one round per mode, in the order given
 * (the first round clones their mirrors), and each round's lines start with "round MODE".
 * Seconds are counted from the instant a round's polling starts. The warm-up (until every agent
 * has polled once in the round) and the commit wave (from the push until every agent has
 * fetched it) are reported on their own and left out of the steady-state figures.
 */
public final class FleetBench {

    private final int agentCount;
    private final int seconds;
    private final long intervalMillis;
    private final int threads;
    private final List<FleetAgent> agents = new ArrayList<>();
    private final List<String> common = new ArrayList<>(); // "key value" lines every round repeats
    /** The hinted round's safety-net poll interval and hint spread (NOTE: docs/performance.md). */
    static final int HINT_INTERVAL_S = Integer.getInteger("fleet.hintInterval", 600);
    static final int HINT_SPREAD_S = Integer.getInteger("fleet.hintSpread", 30);
    private boolean hinted;
    /** The hinted-refcheck round: hinted polls check the ref before fetching (the baseline of decision 0042). */
    private boolean refcheckHints;
    private Process broker;
    private int brokerPort;
    private final List<org.eclipse.paho.client.mqttv3.MqttAsyncClient> clients = new ArrayList<>();
    private final LongAdder hintsReceived = new LongAdder();
    private final AtomicInteger connected = new AtomicInteger();
    // one round's
    private boolean lockstep;
    private ScheduledThreadPoolExecutor pollers;
    private Map<String, LongAdder> failures;
    private Map<String, String> failureExamples;
    private ConcurrentLinkedQueue<Long> lagMillis;
    private AtomicLongArray pollsPerSecond;
    private List<long[]> cpuSamples; // {epoch millis, server CPU millis}
    private long t0;
    private long stopAt;

    private FleetBench(int agentCount, int seconds, int intervalSeconds, int threads) {
        this.agentCount = agentCount;
        this.seconds = seconds;
        this.intervalMillis = intervalSeconds * 1000L;
        this.threads = threads;
    }

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        List<String> modes = List.of(args[4].split(","));
        for (String mode : modes) {
            if (!List.of("jittered", "clumped", "lockstep", "hinted", "hinted-refcheck").contains(mode)) {
                throw new IllegalArgumentException("mode: '" + mode + "' is not one of jittered|clumped|lockstep|hinted|hinted-refcheck");
            }
        }
        int threads = args.length > 5 ? Integer.parseInt(args[5]) : 16;
        FleetBench bench = new FleetBench(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                threads);
        bench.common("agents", args[1]);
        bench.common("interval_s", args[3]);
        bench.common("duration_s", args[2]);
        bench.common("poll_threads", threads);
        String kind = System.getProperty("fleet.server", ApacheGitServer.available() ? "apache" : "jgit");
        try (FleetGitServer server = kind.equals("apache") ? ApacheGitServer.start(work)
                : FleetServerProcess.start(work.resolve("server"), List.of("-Xmx512m"))) {
            bench.common("server", server.describe());
            bench.common("hint_interval_s", HINT_INTERVAL_S);
            bench.common("hint_spread_s", HINT_SPREAD_S);
            long setup0 = System.nanoTime();
            bench.open(work.resolve("agents"), server.url());
            bench.common("setup_s", String.format("%.1f", (System.nanoTime() - setup0) / 1e9));
            System.gc();
            Runtime rt = Runtime.getRuntime();
            bench.common("heap_mb_setup", (rt.totalMemory() - rt.freeMemory()) >> 20);
            bench.common("rss_mb_setup", ProcSelf.rssMegabytes());
            bench.common("jvm_threads_setup", ProcSelf.threads());
            boolean first = true;
            for (String mode : modes) {
                System.err.println("fleet: " + args[1] + " agents, " + mode + ", " + args[2] + " s");
                out("round", mode);
                bench.common.forEach(System.out::println);
                out("mode", mode);
                out("mirrors", first ? "cloned in this round" : "from the round before");
                bench.round(server, mode);
                first = false;
            }
            bench.stopBroker();
        }
        // NOTE: the agents are not closed: each store's close compacts and syncs its file, which
        // takes minutes for thousands of them, and bench/fleet.sh deletes the folder anyway
        System.exit(0);
    }

    private void common(String key, Object value) {
        common.add(key + " " + value);
    }

    /**
     * One round of polling, every agent on the jittered, clumped or lockstep schedule. The first round
     * starts from empty mirrors, so its warm-up is the clone wave; a later round's is every agent's
     * first poll of the round. A commit is pushed an interval before the end.
     */
    private void round(FleetGitServer server, String mode) throws Exception {
        this.lockstep = mode.equals("lockstep");
        this.hinted = mode.startsWith("hinted");
        this.refcheckHints = mode.equals("hinted-refcheck");
        if (hinted) {
            subscribeAll(); // before the round: a fleet's subscriptions are held all the time
        }
        AtomicInteger n = new AtomicInteger();
        pollers = new ScheduledThreadPoolExecutor(threads, r -> new Thread(r, "fleet-poll-" + n.incrementAndGet()));
        pollers.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        failures = new ConcurrentHashMap<>();
        failureExamples = new ConcurrentHashMap<>();
        lagMillis = new ConcurrentLinkedQueue<>();
        pollsPerSecond = new AtomicLongArray(seconds + 1);
        cpuSamples = new ArrayList<>();
        agents.forEach(FleetAgent::newRound);

        ScheduledThreadPoolExecutor sampler = new ScheduledThreadPoolExecutor(1, r -> new Thread(r, "fleet-sampler"));
        t0 = (System.currentTimeMillis() / 1000 + 2) * 1000; // a whole second, as the server's ticks
        stopAt = t0 + seconds * 1000L;
        sampler.scheduleAtFixedRate(() -> sampleCpu(server), t0 - 1000 - System.currentTimeMillis(), 1000, TimeUnit.MILLISECONDS);
        for (FleetAgent a : agents) {
            schedule(a, mode.equals("jittered") ? t0 + a.schedule().firstDelay().toMillis()
                    : hinted ? t0 + a.hintedSchedule().firstDelay().toMillis() : t0);
        }
        sleepUntil(t0);
        long cpu0 = ProcSelf.cpuMillis();

        // the hinted round has no warm-up: its interval is longer than the round
        long warmEnd = hinted ? t0 : waitFor(() -> latest(FleetAgent::firstPollMillis), stopAt);
        String sha = null;
        long committedAt = -1;
        long waveEnd = -1;
        // about an interval before the end (the wave takes an interval, +5 % jitter), a sixth of an
        // interval after a common poll instant (so lockstep agents do not race the push)
        long commitDue = t0 + (seconds * 1000L - intervalMillis * 7 / 6 - 2000) / intervalMillis * intervalMillis
                + intervalMillis / 6;
        commitDue = Math.max(commitDue, warmEnd + 1000);
        if (hinted) {
            commitDue = t0 + seconds * 1000L / 2; // the safety-net interval is longer than the round
        }
        if (warmEnd > 0 && commitDue < stopAt - 1000) {
            sleepUntil(commitDue);
            String[] committed = server.commit();
            committedAt = Long.parseLong(committed[0]);
            sha = committed[1];
            if (hinted) {
                publishHint(); // what the Git server's hook does on a push
                out("hint_published_after_ms", System.currentTimeMillis() - committedAt);
            }
            String awaited = sha;
            waveEnd = waitFor(() -> latest(a -> a.fetchedAtMillis(awaited)), stopAt);
        }
        sleepUntil(stopAt);
        pollers.shutdown();
        if (!pollers.awaitTermination(60, TimeUnit.SECONDS)) {
            System.err.println("fleet: polls still running 60 s after the end");
        }
        long agentsCpu = ProcSelf.cpuMillis() - cpu0;
        sleepUntil(stopAt + 1500); // the server's tick for the last second
        sampler.shutdownNow();
        out("rss_mb_end", ProcSelf.rssMegabytes());
        out("jvm_threads", ProcSelf.threads());

        FleetReport report = new FleetReport(t0, seconds, agentCount, intervalMillis);
        report.warmUp(warmEnd);
        report.steady(server.ticks(), cpuSamples, pollsPerSecond, warmEnd, committedAt, waveEnd);
        report.commit(sha, committedAt, waveEnd, agents);
        if (hinted && sha != null) {
            report.within(sha, committedAt, agents, HINT_SPREAD_S * 1000L + 2000);
        }
        report.requestsPerHour(server.ticks(), stopAt);
        if (sha != null && waveEnd > 0) {
            report.waveRequests(server.ticks(), committedAt, waveEnd);
        }
        if (hinted) {
            out("hints_received", hintsReceived.sum());
            out("mqtt_connected", connected.get() + "/" + agentCount);
            unsubscribeAll();
        }
        report.failures(failures, failureExamples, lagMillis);
        out("agents_cpu_pct", String.format("%.1f", agentsCpu * 100.0 / (stopAt - t0)));
    }

    private void open(Path root, String url) throws Exception {
        ExecutorService openers = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()));
        try {
            List<Callable<FleetAgent>> tasks = new ArrayList<>();
            for (int i = 0; i < agentCount; i++) {
                String hostname = "edge-" + i + ".fleet.example";
                Path state = root.resolve("edge-" + i);
                tasks.add(() -> FleetAgent.open(Files.createDirectories(state), url, hostname,
                        Duration.ofMillis(intervalMillis), Duration.ofSeconds(HINT_INTERVAL_S)));
            }
            for (Future<FleetAgent> f : openers.invokeAll(tasks)) {
                agents.add(f.get());
            }
        } finally {
            openers.shutdown();
        }
    }

    private void schedule(FleetAgent agent, long dueMillis) {
        schedule(agent, dueMillis, true);
    }

    private void schedule(FleetAgent agent, long dueMillis, boolean chain) {
        try {
            pollers.schedule(() -> pollOnce(agent, dueMillis, chain), Math.max(0, dueMillis - System.currentTimeMillis()),
                    TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // the run is over
        }
    }

    /** One poll job: never throws, always reschedules (as the agent's poll job). */
    private void pollOnce(FleetAgent agent, long dueMillis, boolean chain) {
        long start = System.currentTimeMillis();
        if (start >= stopAt) {
            return;
        }
        lagMillis.add(start - dueMillis);
        int second = (int) ((start - t0) / 1000);
        if (second >= 0 && second < pollsPerSecond.length()) {
            pollsPerSecond.incrementAndGet(second);
        }
        boolean ok = false;
        try {
            PollResult result = agent.poll(!chain && !refcheckHints); // not chained: a hinted poll
            ok = result.ok();
            if (result instanceof PollResult.Failed failed) {
                fail(failed.reason().word(), failed.message());
            }
        } catch (RuntimeException e) {
            fail(e.getClass().getSimpleName(), String.valueOf(e.getMessage()));
        }
        if (!chain) {
            return; // a hinted poll: the agent's scheduled polls go on as they were
        }
        if (hinted) {
            schedule(agent, System.currentTimeMillis() + agent.hintedSchedule().next(ok).toMillis());
        } else if (lockstep) {
            // what a schedule counted from the last poll gives a fleet that started together
            long delay = ok ? intervalMillis : agent.schedule().next(false).toMillis();
            schedule(agent, onGrid(dueMillis + delay));
        } else {
            schedule(agent, System.currentTimeMillis() + agent.schedule().next(ok).toMillis());
        }
    }

    /** In lockstep, a poll that overran its slot waits for the next common instant. */
    private long onGrid(long due) {
        long now = System.currentTimeMillis();
        return due > now ? due : t0 + ((now - t0) / intervalMillis + 1) * intervalMillis;
    }


    /**
     * A real Mosquitto broker, and one real MQTT subscription (Eclipse Paho, as the agent's) per
     * agent to its own topic and the fleet's. A message makes the agent poll after its own delay
     * within the spread ({@code PollSchedule.hintDelay}), at most one hinted poll pending at a time.
     */
    private void subscribeAll() throws Exception {
        if (broker == null) {
            Path dir = Files.createTempDirectory("fleet-mosquitto");
            try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                brokerPort = s.getLocalPort();
            }
            Path conf = dir.resolve("mosquitto.conf");
            Files.write(conf, List.of("listener " + brokerPort + " 127.0.0.1", "allow_anonymous true", "persistence false",
                    "user root", "max_connections -1", "log_dest none"));
            broker = new ProcessBuilder("mosquitto", "-c", conf.toString()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("mosquitto.out").toFile()).start();
            Process started = broker;
            Runtime.getRuntime().addShutdownHook(new Thread(started::destroy, "fleet-mosquitto-stop"));
            Thread.sleep(500);
            if (!broker.isAlive()) {
                throw new IllegalStateException("mosquitto exited: " + Files.readString(dir.resolve("mosquitto.out")));
            }
        }
        hintsReceived.reset(); // counted per round
        long started = System.nanoTime();
        ExecutorService connecting = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (FleetAgent a : agents) {
                done.add(connecting.submit(() -> {
                    subscribe(a);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            connecting.shutdown();
        }
        out("mqtt_subscribe_s", String.format("%.1f", (System.nanoTime() - started) / 1e9));
        out("jvm_threads_subscribed", ProcSelf.threads());
    }

    private void subscribe(FleetAgent a) throws Exception {
        var client = new org.eclipse.paho.client.mqttv3.MqttAsyncClient("tcp://127.0.0.1:" + brokerPort,
                "voltis-" + a.hostname(), new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence(),
                new org.eclipse.paho.client.mqttv3.TimerPingSender(), null);
        long delay = io.voltis.sync.PollSchedule.hintDelay(a.hostname(), Duration.ofSeconds(HINT_SPREAD_S)).toMillis();
        client.setCallback(new org.eclipse.paho.client.mqttv3.MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                connected.decrementAndGet();
            }

            @Override
            public void messageArrived(String topic, org.eclipse.paho.client.mqttv3.MqttMessage message) {
                hintsReceived.increment();
                if (a.hint()) {
                    schedule(a, System.currentTimeMillis() + delay, false);
                }
            }

            @Override
            public void deliveryComplete(org.eclipse.paho.client.mqttv3.IMqttDeliveryToken token) {
            }
        });
        var o = new org.eclipse.paho.client.mqttv3.MqttConnectOptions();
        o.setCleanSession(true);
        o.setKeepAliveInterval(60);
        o.setConnectionTimeout(30);
        client.connect(o).waitForCompletion(60_000);
        client.subscribe(new String[] {"voltis/" + a.hostname() + "/sync", "voltis/all/sync"}, new int[] {1, 1})
                .waitForCompletion(60_000);
        connected.incrementAndGet();
        synchronized (clients) {
            clients.add(client);
        }
    }

    /** What a Git server's post-receive hook does: one message to the fleet's topic (docs/sync.md). */
    private void publishHint() throws Exception {
        Process p = new ProcessBuilder("mosquitto_pub", "-h", "127.0.0.1", "-p", String.valueOf(brokerPort), "-q", "1",
                "-t", "voltis/all/sync", "-n").redirectErrorStream(true).start();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("mosquitto_pub failed: " + new String(p.getInputStream().readAllBytes()));
        }
    }

    private void unsubscribeAll() {
        synchronized (clients) {
            for (var c : clients) {
                try {
                    c.disconnectForcibly(0, 0, false); // no goodbye: a thousand of them would take minutes
                    c.close(true);
                } catch (Exception e) {
                    // closing anyway
                }
            }
            clients.clear();
        }
        connected.set(0);
    }

    void stopBroker() throws InterruptedException {
        if (broker != null) {
            broker.destroy();
            broker.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private void fail(String reason, String message) {
        failures.computeIfAbsent(reason, r -> new LongAdder()).increment();
        failureExamples.putIfAbsent(reason, message);
    }

    private void sampleCpu(FleetGitServer server) {
        try {
            long[] sample = {System.currentTimeMillis(), server.cpuMillis()};
            synchronized (cpuSamples) {
                cpuSamples.add(sample);
            }
        } catch (RuntimeException e) {
            System.err.println("fleet: " + e.getMessage());
        }
    }

    /** The latest of a per-agent time, or -1 while some agent has none. */
    private long latest(java.util.function.ToLongFunction<FleetAgent> time) {
        long latest = 0;
        for (FleetAgent a : agents) {
            long t = time.applyAsLong(a);
            if (t < 0) {
                return -1;
            }
            latest = Math.max(latest, t);
        }
        return latest;
    }

    /** Polls {@code time} every 100 ms until it is known or {@code deadline} passes; -1 then. */
    private static long waitFor(java.util.function.LongSupplier time, long deadline) throws InterruptedException {
        for (long t = time.getAsLong(); ; t = time.getAsLong()) {
            if (t >= 0 || System.currentTimeMillis() >= deadline) {
                return t;
            }
            Thread.sleep(100);
        }
    }

    private static void sleepUntil(long millis) throws InterruptedException {
        long wait = millis - System.currentTimeMillis();
        if (wait > 0) {
            Thread.sleep(wait);
        }
    }

    static void out(String key, Object value) {
        System.out.println(key + " " + value);
    }

    /** Failures by reason, sorted, as {@code Reason=count,...}; {@code none} when there were none. */
    static String byReason(Map<String, LongAdder> failures) {
        Map<String, Long> sorted = new TreeMap<>();
        failures.forEach((k, v) -> sorted.put(k, v.sum()));
        if (sorted.isEmpty()) {
            return "none";
        }
        StringBuilder s = new StringBuilder();
        sorted.forEach((k, v) -> s.append(s.length() == 0 ? "" : ",").append(k).append('=').append(v));
        return s.toString();
    }
}
