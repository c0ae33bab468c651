package io.voltis.agent;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

import io.voltis.agent.api.ApiServer;
import io.voltis.agent.api.ApiSources;
import io.voltis.agent.api.TokenFile;
import io.voltis.agent.config.AgentConfig;
import io.voltis.agent.metrics.AgentMetrics;
import io.voltis.agent.files.FileRenderer;
import io.voltis.agent.files.FileSync;
import io.voltis.agent.jobs.JobRunner;
import io.voltis.agent.packages.artifact.ArtifactOptions;
import io.voltis.agent.packages.artifact.Artifacts;
import io.voltis.agent.packages.artifact.Sleeper;
import io.voltis.agent.packages.system.SystemPackages;
import io.voltis.agent.reconcile.AgentStatus;
import io.voltis.agent.reconcile.InstallerStep;
import io.voltis.agent.reconcile.Reconciler;
import io.voltis.agent.reconcile.TrustGate;
import io.voltis.agent.runtime.ServiceRuntime;
import io.voltis.agent.runtime.health.HealthMonitor;
import io.voltis.agent.runtime.process.ProcessMarks;
import io.voltis.agent.runtime.process.ProcessRuntime;
import io.voltis.agent.runtime.systemd.SystemdRuntime;
import io.voltis.agent.scheduler.AgentScheduler;
import io.voltis.agent.scheduler.QuartzCronCheck;
import io.voltis.model.HostResolver;
import io.voltis.sync.InFlight;
import io.voltis.sync.PollSchedule;
import io.voltis.sync.Poller;
import io.voltis.sync.Preparer;
import io.voltis.sync.Revisions;
import io.voltis.sync.StateLayout;
import io.voltis.sync.Unpacker;
import io.voltis.sync.git.CredentialSources;
import io.voltis.sync.git.GitMirror;
import io.voltis.sync.git.GitSourceSpec;
import io.voltis.sync.git.Redact;
import io.voltis.sync.store.EventType;
import io.voltis.sync.store.RevisionStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: builds every part of the daemon with {@code new}, in dependency order,
 * from one frozen {@link AgentConfig}, and closes them in reverse. The poll and the reconcile
 * tick share one lock: the Git mirror and the apply never run at the same time.
 *
 * <p>On stop (SIGTERM, SIGINT, or {@link #close()}): the scheduler stops and waits for the step
 * in flight; the process runtime stops its services (they are its children; the systemd runtime
 * leaves them to systemd); the job runner stops; the mirror and the database close last.
 */
public final class Agent implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);
    /** NOTE: docs/api.md (/healthz) names this. */
    private static final Duration STALLED = Duration.ofMinutes(30);
    /** {@code --once}: how long Synced must hold, with the services running, before it counts (docs/cli.md). */
    private static final Duration STEADY = Duration.ofSeconds(5);

    private final AgentConfig config;
    private final Deque<AutoCloseable> closeInReverse = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicBoolean closed = new AtomicBoolean();
    private Poller poller;
    private PollSchedule pollSchedule;
    private Reconciler reconciler;
    private AgentScheduler scheduler;
    private RevisionStore store;
    private ServiceRuntime runtime;
    private volatile AgentMetrics metrics;
    private io.voltis.agent.notify.Notifier notifier;
    private ApiServer api;
    private volatile Instant lastTickDone;
    private io.voltis.agent.hints.SyncHints hints;
    private volatile java.util.function.Supplier<io.voltis.agent.hints.HintStatus> mqttStatus;

    private Agent(AgentConfig config) {
        this.config = config;
    }

    /**
     * What the daemon takes from the machine besides its configuration: the clock and how system
     * packages are asked for and installed. Tests hand in a clock they move and fake package
     * managers; everything else is real.
     */
    public record Machine(Clock clock, SystemPackages systemPackages, java.nio.file.Path machineIdFile) {

        /** A machine whose id is in {@code /etc/machine-id}. */
        public Machine(Clock clock, SystemPackages systemPackages) {
            this(clock, systemPackages, io.voltis.sync.Rollout.MACHINE_ID);
        }

        /** The real clock and the device's own package managers. */
        public static Machine device() {
            return new Machine(Clock.systemUTC(), SystemPackages.onDevice());
        }
    }

    /** Builds and starts the daemon (or, with {@code --once}, builds it for {@link #runOnce}). */
    public static Agent start(AgentConfig config, Map<String, String> env) throws Exception {
        return start(config, env, Machine.device());
    }

    /** As {@link #start(AgentConfig, Map)}, on the given machine. */
    public static Agent start(AgentConfig config, Map<String, String> env, Machine machine) throws Exception {
        Agent agent = new Agent(config);
        try {
            agent.build(env, machine);
            if (!config.once()) {
                agent.startApi();
                agent.scheduler.start(agent.pollSchedule.firstDelay(), config.reconcileInterval());
                if (config.hints().mqtt()) {
                    agent.startMqtt(machine.clock());
                }
                LOG.info("voltis-agent following {} ({}) as {}", io.voltis.sync.git.Redact.url(config.repo()),
                        config.branch(), config.hostname());
            }
            return agent;
        } catch (Exception | Error e) {
            agent.close();
            throw e;
        }
    }

    private void build(Map<String, String> env, Machine machine) throws Exception {
        Clock clock = machine.clock();
        Path state = config.stateDir();
        StateLayout layout = new StateLayout(state);
        String rebuilt = openStore(state, clock);
        closeInReverse.push(store);
        // before any event: each event recorded from now on queues its notifications with it
        notifier = io.voltis.agent.notify.Notifier.start(config.notifyTargets(), config.hostname(), store, clock, env,
                io.voltis.agent.notify.Notifier.Settings.DEFAULTS, (target, result, n) -> {
                    AgentMetrics m = metrics;
                    if (m != null) {
                        m.notified(target, result, n);
                    }
                });
        closeInReverse.push(notifier);
        if (rebuilt != null) {
            // NOTE: the event's first words are what docs/operations.md tells operators to look for.
            store.addEvent(EventType.STORE_REBUILT, null, rebuilt);
        }
        io.voltis.agent.config.RunFacts.of(config).write(state);
        var credentials = CredentialSources.load(config.repo(), config.gitUsername(), config.gitPasswordFile(),
                config.sshKey(), config.knownHosts(), env, config.allowInsecureHttp());
        GitMirror mirror = GitMirror.open(layout.mirror(), layout.ssh(),
                new GitSourceSpec(config.repo(), config.branch(), config.path(), credentials, config.gitCaFile()));
        closeInReverse.push(mirror);
        poller = new Poller(mirror, store, clock, Duration.ofMinutes(10));
        pollSchedule = new PollSchedule(config.interval(), PollSchedule.DEFAULT_MAX_BACKOFF, config.hostname(), new Random(), clock);
        Unpacker unpacker = new Unpacker(layout.revisions());
        int leftovers = unpacker.removeLeftovers();
        if (leftovers > 0) {
            LOG.info("removed {} half-unpacked revision(s) left by a crash", leftovers);
        }
        Preparer preparer = new Preparer(mirror, store, new HostResolver(new QuartzCronCheck(), config.sizeLimits()),
                unpacker, config.hostname(), InFlight.open(state));
        // a death inside a prepare or an apply is that step's (counted by in-flight), not the health gate's
        boolean diedInAStep = preparer.leftover().isPresent();
        Optional<String> quarantined = preparer.quarantineIfDue();
        quarantined.ifPresent(sha -> LOG.error("revision {} is quarantined: the agent stopped {} times in a row"
                + " while preparing or applying it; it keeps the last good revision", sha, InFlight.QUARANTINE_AFTER));
        Map<String, String> baseEnv = io.voltis.agent.runtime.process.ChildProcess.environment(env, Map.of());
        ProcessMarks marks = ProcessMarks.forStateDir(state);
        JobRunner jobs = new JobRunner(store, config.jobWorkers(), baseEnv, clock, layout.jobs(), marks);
        closeInReverse.push(jobs);
        quarantined.ifPresent(sha -> jobs.endLeftoversOf(sha, "its revision " + sha.substring(0, 12) + " is quarantined"));
        runtime = runtime(state, clock, env, marks);
        // the metrics read the status through this agent and hear of applies as the reconciler's listener;
        // the scheduler exists (not started) before the reconciler, which schedules cron jobs on it
        metrics = new AgentMetrics(this::status, clock);
        metrics.notifyTargets(notifier.targets(), notifier::pending);
        closeInReverse.push(metrics);
        closeInReverse.push(runtime);
        scheduler = new AgentScheduler(this::pollLocked, pollSchedule::next, this::tickLocked, jobs, clock);
        // --once exits long before a gate window ends: it runs no gate (docs/agent.md)
        io.voltis.agent.reconcile.HealthGate gate = new io.voltis.agent.reconcile.HealthGate(store, clock, baseEnv,
                config.once(), diedInAStep);
        closeInReverse.push(gate);
        reconciler = new Reconciler(new Reconciler.Parts(clock, store, poller::state, mirror, preparer, new Revisions(store),
                new FileRenderer(config.root(), new io.voltis.agent.secrets.SecretBox(config.identityPath())), new FileSync(config.root(), layout.filesManifest()),
                new InstallerStep(machine.systemPackages(), new Artifacts(layout.artifacts(),
                        ArtifactOptions.defaults(), Sleeper.threadSleep()), config.root()),
                jobs, runtime, scheduler, unpacker, config.hostname(), config.root(), config.keepRevisions(),
                trustGate(mirror, clock), gate, new io.voltis.sync.Rollout(mirror, store, preparer,
                        io.voltis.sync.Rollout.deviceId(machine.machineIdFile(), config.hostname()))),
                Reconciler.Listener.all(metrics, notifier));
        closeInReverse.push(scheduler);
        hints = new io.voltis.agent.hints.SyncHints(PollSchedule.hintDelay(config.hostname(), config.hints().spread()),
                scheduler::pollAt, clock);
    }

    /** The broker subscription; its classes (and Paho's) load only here, when mqtt-url is set. */
    private void startMqtt(Clock clock) {
        io.voltis.agent.hints.MqttHints mqtt = io.voltis.agent.hints.MqttHints.start(config.hints(), config.hostname(),
                hints, clock);
        closeInReverse.push(mqtt);
        mqttStatus = mqtt::status;
    }

    /**
     * A check-now hint asked on this device ({@code voltis-agent sync}, the API's {@code POST
     * /api/v1/sync}): the next poll now, or with a poll another hint asked for moments ago.
     */
    public io.voltis.agent.hints.SyncHints.Answer syncRequested(String source) {
        return hints.fromDevice(source);
    }

    /** A check-now hint from the fleet, as a broker's message gives it; for tests without a broker. */
    public io.voltis.agent.hints.SyncHints.Answer fleetHint(String source) {
        return hints.fromFleet(source);
    }

    /** The trust policy's gate; with {@code verify: off}, one that loads no verification class. */
    private TrustGate trustGate(GitMirror mirror, Clock clock) throws io.voltis.sync.trust.TrustConfigException {
        if (!config.trust().on()) {
            return TrustGate.off();
        }
        TrustGate gate = TrustGate.of(config.trust(), mirror, store, metrics, clock);
        LOG.info("commit signatures: verify {} ({}), signers from {}", config.trust().mode().word(),
                config.trust().scope().name().toLowerCase(java.util.Locale.ROOT), config.trust().allowedSigners());
        return gate;
    }

    /**
     * Opens {@link #store}; a damaged one is set aside and replaced by a new one (decision 0026), so the
     * device converges again from Git instead of staying down until a person acts. The history,
     * the CLI pin and the job records of the damaged file are not carried over: a loud log line
     * and the {@code StoreRebuilt} event say so: its message is returned (null when the store
     * opened as it was), recorded once notifications are set up.
     */
    private String openStore(Path state, Clock clock) {
        try {
            store = RevisionStore.openOwner(state, clock);
            return null;
        } catch (io.voltis.sync.store.StoreException e) {
            if (!e.damaged()) {
                throw e;
            }
            Path aside = RevisionStore.setAsideDamaged(state, clock);
            store = RevisionStore.openOwner(state, clock);
            return "the revision store was damaged and was rebuilt empty; the damaged file is"
                    + " kept as " + aside + "; lost: the history, any CLI pin, the record of jobs run (per-revision and once"
                    + " jobs run again); the device converges to what Git says (" + e.getMessage() + ")";
        }
    }

    private void startApi() {
        TokenFile token = config.apiTokenFile() == null ? null : TokenFile.read(config.apiTokenFile());
        api = ApiServer.start(ApiServer.Settings.of(config.listenHost(), config.listenPort(), token), apiSources());
        closeInReverse.push(api);
        api.publishTo(config.stateDir(), config.listenHost());
        LOG.info("status API on http://{}:{}/{}", config.listen().substring(0, config.listen().lastIndexOf(':')),
                api.port(), token == null ? "" : " (bearer token required)");
    }

    /** What the status API reads; tests serve it on a port of their own. */
    public ApiSources apiSources() {
        return new ApiSources(this::status, new ApiSources.Source(Redact.url(config.repo()), config.branch(),
                config.path()), store, runtime.logs(), metrics::scrape,
                () -> lastTickDone != null && reconciler.tickFailure().isEmpty(), this::unhealthy,
                () -> syncRequested("the API"));
    }

    public AgentConfig config() {
        return config;
    }

    /** The API's port, or -1 when it does not run ({@code --once}). */
    public int apiPort() {
        return api == null ? -1 : api.port();
    }

    /** A reconcile loop that has not finished a tick for {@link #STALLED} is stalled (hung apply, dead scheduler). */
    private Optional<String> unhealthy() {
        Instant last = lastTickDone;
        if (last != null && Instant.now().isAfter(last.plus(STALLED))) {
            return Optional.of("the reconcile loop has not finished a tick since " + last);
        }
        return Optional.empty();
    }

    /** The configured runtime, wrapped in the one health monitor that probes services' health checks. */
    private ServiceRuntime runtime(Path state, Clock clock, Map<String, String> env, ProcessMarks marks) {
        if (config.runtime() == AgentConfig.Runtime.SYSTEMD) {
            return new HealthMonitor(SystemdRuntime.onThisHost(clock), clock);
        }
        ScheduledExecutorService timer = ProcessRuntime.newTimer();
        closeInReverse.push(timer::shutdownNow);
        return new HealthMonitor(new ProcessRuntime(new StateLayout(state).logs(), clock, timer, new ProcessRuntime.Settings(
                config.stopGrace(), Duration.ofSeconds(1), Duration.ofSeconds(60), 5L * 1024 * 1024, 3), env, marks), clock);
    }

    private boolean pollLocked() {
        return pollLocked(false);
    }

    /**
     * One poll; when it fetched a new head, the reconcile tick runs at once rather than at its next
     * turn. {@code hinted}: it answers a check-now hint, so it fetches without a ref check first.
     */
    private boolean pollLocked(boolean hinted) {
        lock.lock();
        try {
            long started = System.nanoTime();
            io.voltis.sync.PollResult result = poller.poll(hinted);
            metrics.polled(result, Duration.ofNanos(System.nanoTime() - started));
            if (result instanceof io.voltis.sync.PollResult.Fetched && reconciler != null && !config.once()) {
                reconciler.tick();
            }
            return !backsOff(result);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether the next poll waits longer: after a failure of kind waiting (the server unreachable,
     * credentials refused, the disk full: retrying sooner changes nothing); a generic one (the
     * local mirror) is tried again at the plain interval. The reason's kind decides (decision 0030).
     */
    static boolean backsOff(io.voltis.sync.PollResult result) {
        return result instanceof io.voltis.sync.PollResult.Failed f
                && (f.reason() == null || f.reason().kind() != io.voltis.sync.git.Reason.Kind.GENERIC);
    }

    private void tickLocked() {
        lock.lock();
        try {
            restoreStateDirectory();
            long started = System.nanoTime();
            reconciler.tick();
            metrics.ticked(Duration.ofNanos(System.nanoTime() - started));
            lastTickDone = Instant.now();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The state directory removed under the running agent: created again (0700) with the files
     * other commands read (run facts, the API address). The store and the mirror recreate their
     * own parts on their next use (docs/decisions/0023-state-directory-lost.md). One stat a tick.
     */
    private void restoreStateDirectory() {
        Path state = config.stateDir();
        if (Files.exists(new StateLayout(state).facts())) {
            return;
        }
        LOG.warn("the state directory {} (or its run facts) was removed while the agent ran: creating it again", state);
        try {
            io.voltis.sync.git.PrivateModes.createDirectories(state);
        } catch (java.io.IOException e) {
            LOG.warn("cannot create the state directory {} again: {}", state, e.getMessage());
            return;
        }
        io.voltis.agent.config.RunFacts.of(config).write(state);
        if (api != null) {
            api.publishTo(state, config.listenHost());
        }
    }

    /**
     * {@code --once}: one poll, then ticks until the phase settles (services started and, where
     * declared, answering their health check) or {@code settle} runs out. {@code Synced} with
     * services counts once it has held for {@link #STEADY}.
     */
    public AgentStatus runOnce(Duration settle) throws InterruptedException {
        return runOnce(settle, status -> false);
    }

    /**
     * As {@link #runOnce(Duration)}, but stops waiting as soon as {@code hopeless} says the status
     * will not settle by waiting (a crash loop, a source that gave nothing to apply).
     */
    public AgentStatus runOnce(Duration settle, java.util.function.Predicate<AgentStatus> hopeless)
            throws InterruptedException {
        pollLocked();
        Instant deadline = Instant.now().plus(settle);
        Instant syncedSince = null;
        AgentStatus status;
        do {
            tickLocked();
            status = reconciler.status();
            io.voltis.agent.reconcile.Phase phase = status.phase();
            boolean synced = phase == io.voltis.agent.reconcile.Phase.SYNCED;
            syncedSince = !synced ? null : syncedSince == null ? Instant.now() : syncedSince;
            // a service that exits soon after its start looks running right after it: Synced counts once it held
            boolean steady = synced && (status.services().isEmpty() || !Instant.now().isBefore(syncedSince.plus(STEADY)));
            boolean waiting = phase == io.voltis.agent.reconcile.Phase.PROGRESSING
                    || phase == io.voltis.agent.reconcile.Phase.DEGRADED || (synced && !steady);
            if (!waiting || hopeless.test(status)) {
                break;
            }
            Thread.sleep(500);
        } while (Instant.now().isBefore(deadline));
        return status;
    }

    /** One poll now, under the same lock as the scheduled one; whether it succeeded. */
    public boolean pollNow() {
        return pollLocked();
    }

    /** One reconcile tick now, under the same lock as the scheduled one. */
    public AgentStatus tickNow() {
        tickLocked();
        return status();
    }

    /** The reconciler's status, with the notification targets'. */
    public AgentStatus status() {
        AgentStatus s = reconciler.status();
        s = notifier == null || notifier.targets().isEmpty() ? s : s.withNotifications(notifier.status());
        var mqtt = mqttStatus;
        return mqtt == null ? s : s.withHints(List.of(mqtt.get()));
    }

    public RevisionStore store() {
        return store;
    }

    /** Blocks until {@link #close()}. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        LOG.info("voltis-agent stopping");
        while (!closeInReverse.isEmpty()) {
            AutoCloseable part = closeInReverse.pop();
            try {
                part.close();
            } catch (Exception e) {
                LOG.warn("stopping {}: {}", part.getClass().getSimpleName(), e.getMessage());
            }
        }
        stopped.countDown();
    }
}
