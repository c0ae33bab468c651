package io.voltis.agent.reconcile;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.voltis.agent.runtime.ServiceDefinition;
import io.voltis.agent.runtime.ServiceStatus;
import io.voltis.agent.runtime.health.HealthProbe;
import io.voltis.model.GateSpec;
import io.voltis.model.HealthCheck;
import io.voltis.model.ServiceState;
import io.voltis.model.Templates;
import io.voltis.sync.store.Probation;
import io.voltis.sync.store.RevisionStore;

/**
 * The health gate of the applied revision (DESIGN.md, "Health gate and automatic rollback";
 * docs/decisions/0033): after an apply, every service declared running must run (and be healthy,
 * where it has a check) and every gate check pass, continuously for the window. A service that
 * stops running or turns unhealthy, or a check that fails its {@code failures} probes in a row,
 * fails the gate at once; a service with a check that never answered healthy, or a check that
 * never passed, fails it when the window ends; otherwise it passes then. The probation is in the
 * store ({@link Probation}), so an agent that dies inside the window counts an attempt.
 *
 * <p>The tick calls {@link #observe}; gate checks run on a thread of their own, each every
 * {@code interval}, so a hanging check (bounded by its timeout) never holds a tick.
 */
public final class HealthGate implements AutoCloseable {

    /**
     * What one observation found. {@code cause} says which way a gate failed (the label of
     * {@code voltis_rollbacks_total}); {@code evidence}: the failing service's last log lines.
     */
    record Outcome(Kind kind, Cause cause, String reason, List<String> evidence) {
        static final Outcome NONE = new Outcome(Kind.NONE, null, null, List.of());
        static final Outcome RUNNING = new Outcome(Kind.RUNNING, null, null, List.of());
        static final Outcome PASSED = new Outcome(Kind.PASSED, null, null, List.of());

        static Outcome failed(Cause cause, String reason, List<String> evidence) {
            return new Outcome(Kind.FAILED, cause, reason, List.copyOf(evidence));
        }
    }

    enum Kind { NONE, RUNNING, PASSED, FAILED }

    /** Why a gate failed. NOTE: the words label voltis_rollbacks_total (docs/api.md). */
    public enum Cause {
        /** A service declared running stopped, crash-looped or could not start. */
        SERVICE_FAILED("ServiceFailed"),
        /** A service's health check failed past its threshold, or never answered healthy in the window. */
        UNHEALTHY("Unhealthy"),
        /** A gate check failed past its threshold, or never passed in the window. */
        CHECK_FAILED("CheckFailed"),
        /** The agent stopped more than {@code attempts} times inside the window. */
        AGENT_STOPPED("AgentStopped");

        private final String word;

        Cause(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }
    }

    /** What status shows of the gate under way: the revision, until when, whether it restored a rollback. */
    record Window(String sha, Instant until, boolean rollback) {
    }

    private final RevisionStore store;
    private final Clock clock;
    private final Map<String, String> baseEnv;
    private final ScheduledExecutorService checks = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "voltis-gate-checks");
        t.setDaemon(true);
        return t;
    });
    private final List<ScheduledFuture<?>> running = new ArrayList<>();
    private volatile List<CheckState> states = List.of();
    private Window window;
    private GateSpec spec;
    /** A failure decided when the probation was resumed (too many agent deaths inside the window). */
    private Outcome pending;

    private final boolean off;
    private final boolean diedInAStep;

    /** @param baseEnv what every child sees (PATH, HOME, ...); exec checks get it with the VOLTIS_* variables */
    public HealthGate(RevisionStore store, Clock clock, Map<String, String> baseEnv) {
        this(store, clock, baseEnv, false, false);
    }

    /**
     * @param off         no gate at all ({@code run --once}: the process exits before any window ends;
     *                    nothing is put on probation, nothing is verified)
     * @param diedInAStep the previous process died while preparing or applying a revision: that
     *                    death is the step's (quarantined after three), not an attempt of the gate
     */
    public HealthGate(RevisionStore store, Clock clock, Map<String, String> baseEnv, boolean off, boolean diedInAStep) {
        this.off = off;
        this.diedInAStep = diedInAStep;
        this.store = store;
        this.clock = clock;
        this.baseEnv = Map.copyOf(baseEnv);
    }

    /** The workload's gate. */
    static GateSpec specOf(Applied applied) {
        return applied.ready().resolution().workload().spec().gate();
    }

    /**
     * {@code applied} was just applied (a rollback restored it when {@code rollback}): its window
     * starts now, on disk. Returns false when its gate is off ({@code window: 0s}): the caller
     * counts it verified at once.
     */
    boolean start(Applied applied, boolean rollback) {
        stopChecks();
        pending = null;
        spec = specOf(applied);
        if (off) {
            window = null;
            return true;
        }
        if (!spec.on()) {
            window = null;
            store.endProbation();
            return false;
        }
        store.startProbation(applied.sha(), rollback);
        window = new Window(applied.sha(), clock.instant().plus(spec.window()), rollback);
        startChecks(applied);
        return true;
    }

    /**
     * After a start of the agent: the probation the store kept for {@code applied}, if any. It
     * counts one more attempt; past the gate's {@code attempts} the gate has failed, else the
     * window starts again. A probation of another revision is dropped.
     */
    void resume(Applied applied) {
        if (off) {
            return;
        }
        Optional<Probation> kept = store.probation();
        if (kept.isEmpty()) {
            return;
        }
        if (!kept.get().sha().equals(applied.sha())) {
            store.endProbation();
            return;
        }
        spec = specOf(applied);
        if (diedInAStep) {
            // the window starts again, with no attempt counted: the death was another step's
            window = new Window(applied.sha(), clock.instant().plus(spec.window()), kept.get().rollback());
            startChecks(applied);
            return;
        }
        store.countProbationAttempt();
        int attempts = kept.get().attempts() + 1;
        window = new Window(applied.sha(), clock.instant().plus(spec.window()), kept.get().rollback());
        if (attempts > spec.attempts()) {
            pending = Outcome.failed(Cause.AGENT_STOPPED, "the agent stopped " + (attempts - 1) + " times inside the window (attempts: "
                    + spec.attempts() + ")", List.of());
            return;
        }
        startChecks(applied);
    }

    /** The gate under way, for status; empty when none runs. */
    Optional<Window> window() {
        return Optional.ofNullable(window);
    }

    /** Whether the revision under the gate was restored by a rollback. */
    boolean rollback() {
        return window != null && window.rollback();
    }

    GateSpec spec() {
        return spec;
    }

    /** One observation of {@code applied} with its services as the runtime sees them now. */
    Outcome observe(Applied applied, List<ServiceStatus> services) {
        if (window == null || applied == null || !window.sha().equals(applied.sha())) {
            return Outcome.NONE;
        }
        if (pending != null) {
            return end(pending);
        }
        Map<String, ServiceStatus> byName = new TreeMap<>();
        services.forEach(s -> byName.put(s.name(), s));
        for (ServiceDefinition d : applied.services()) {
            if (d.state() != ServiceState.RUNNING) {
                continue;
            }
            ServiceStatus s = byName.get(d.name());
            if (s != null && s.degraded()) {
                boolean unhealthy = s.actual() == ServiceStatus.Actual.RUNNING;
                return end(Outcome.failed(unhealthy ? Cause.UNHEALTHY : Cause.SERVICE_FAILED, "service " + d.name() + " "
                        + describe(s), s.lastLogLines()));
            }
        }
        for (CheckState c : states) {
            if (c.failedInARow >= c.check.failures()) {
                return end(Outcome.failed(Cause.CHECK_FAILED, "check " + c.target + " failed " + c.failedInARow + " times in a row: "
                        + c.lastReason, List.of()));
            }
        }
        if (clock.instant().isBefore(window.until())) {
            return Outcome.RUNNING;
        }
        for (ServiceDefinition d : applied.services()) {
            if (d.state() != ServiceState.RUNNING) {
                continue;
            }
            ServiceStatus s = byName.get(d.name());
            if (s == null || s.actual() != ServiceStatus.Actual.RUNNING) {
                return end(Outcome.failed(Cause.SERVICE_FAILED, "service " + d.name() + " is not running at the end of"
                        + " the window", List.of()));
            }
            if (d.health() != null && !Boolean.TRUE.equals(s.healthy())) {
                return end(Outcome.failed(Cause.UNHEALTHY, "service " + d.name() + " was not healthy within the window ("
                        + io.voltis.model.Durations.format(spec.window()) + ")", s.lastLogLines()));
            }
        }
        for (CheckState c : states) {
            if (!c.passed) {
                return end(Outcome.failed(Cause.CHECK_FAILED, "check " + c.target + " did not pass within the window"
                        + (c.lastReason == null ? "" : ": " + c.lastReason), List.of()));
            }
        }
        return end(Outcome.PASSED);
    }

    /** Drops the gate under way (another revision is applied, or an operator acted). */
    void cancel() {
        stopChecks();
        window = null;
        pending = null;
        store.endProbation();
    }

    private Outcome end(Outcome outcome) {
        stopChecks();
        window = null;
        pending = null;
        store.endProbation();
        return outcome;
    }

    private static String describe(ServiceStatus s) {
        if (Boolean.FALSE.equals(s.healthy()) && s.actual() == ServiceStatus.Actual.RUNNING) {
            return "is unhealthy" + (s.message() == null ? "" : ": " + s.message());
        }
        return s.actual().word() + (s.lastExitCode() == null ? "" : ", exit " + s.lastExitCode())
                + (s.message() == null ? "" : ": " + s.message());
    }

    /** One gate check and what its probes found so far; written by the checks' thread. */
    private static final class CheckState {
        final HealthCheck check;
        final HealthProbe probe;
        final String target;
        volatile int failedInARow;
        volatile boolean passed;
        volatile String lastReason;

        CheckState(HealthCheck check, HealthProbe probe) {
            this.check = check;
            this.probe = probe;
            this.target = probe.target();
        }

        void probe() {
            HealthProbe.Result r = probe.check();
            if (r.ok()) {
                failedInARow = 0;
                passed = true;
                lastReason = null;
            } else {
                failedInARow++;
                lastReason = r.reason();
            }
        }
    }

    private void startChecks(Applied applied) {
        stopChecks();
        List<CheckState> next = new ArrayList<>();
        Path dir = applied.ready().dir();
        Map<String, String> env = new TreeMap<>(baseEnv);
        Templates.BUILTINS.forEach(k -> {
            String v = applied.vars().get(k);
            if (v != null) {
                env.put(k, v);
            }
        });
        for (HealthCheck c : spec.checks()) {
            HealthCheck rendered = new HealthCheck(render(c.http(), applied.vars()), render(c.tcp(), applied.vars()),
                    c.exec() == null ? null : c.exec().stream().map(a -> Templates.render(a, applied.vars())).toList(),
                    c.interval(), c.timeout(), c.failures());
            HealthProbe probe;
            try {
                probe = HealthProbe.of(rendered, dir, env);
            } catch (IllegalArgumentException e) {
                // a ${var} that rendered into no URL or address: the check can never pass
                String why = "cannot be probed: " + e.getMessage();
                probe = new HealthProbe() {
                    @Override
                    public Result check() {
                        return Result.failed(why);
                    }

                    @Override
                    public String target() {
                        return rendered.http() != null ? "GET " + rendered.http() : "tcp " + rendered.tcp();
                    }
                };
            }
            CheckState state = new CheckState(rendered, probe);
            next.add(state);
            long every = Math.max(1, rendered.interval().toMillis());
            synchronized (running) {
                running.add(checks.scheduleWithFixedDelay(state::probe, 0, every, TimeUnit.MILLISECONDS));
            }
        }
        states = List.copyOf(next);
    }

    private static String render(String text, Map<String, String> vars) {
        return text == null ? null : Templates.render(text, vars);
    }

    private void stopChecks() {
        synchronized (running) {
            running.forEach(f -> f.cancel(true));
            running.clear();
        }
        states = List.of();
    }

    /** How long the gate under way has run; zero when none. */
    Duration elapsed() {
        if (window == null || spec == null) {
            return Duration.ZERO;
        }
        Duration d = Duration.between(window.until().minus(spec.window()), clock.instant());
        return d.isNegative() ? Duration.ZERO : d;
    }

    @Override
    public void close() {
        stopChecks();
        checks.shutdownNow();
    }
}
