package io.voltis.agent.metrics;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.voltis.agent.reconcile.AgentStatus;
import io.voltis.agent.reconcile.Phase;
import io.voltis.agent.runtime.ServiceStatus;
import io.voltis.sync.PollResult;
import io.voltis.sync.git.Reason;

/**
 * The agent's Prometheus metrics. The recording methods are cheap and safe from any thread; the
 * series derived from {@link AgentStatus} are read from the status supplier once per
 * {@link #scrape()}, so they always show the status as of the scrape.
 *
 * <p>Guarantees a dashboard relies on: every {@code voltis_phase} series (one per phase) is
 * always present, 1 for the current phase and 0 for the others; {@code voltis_applied_revision_info}
 * has at most one series, the applied revision's; the {@code voltis_service_*} series follow the
 * current service list, and a service that is gone is gone from the scrape. {@code
 * voltis_service_healthy} is absent while a service's health is unknown (no check declared, or
 * none answered yet). The last-successful timestamps are NaN until the first success. Label
 * values are only result, reason and phase words, the revision sha, the workload and service
 * names: never a message, a URL or the hostname.
 */
public final class AgentMetrics implements io.voltis.agent.reconcile.Reconciler.Listener,
        io.voltis.agent.reconcile.TrustGate.Listener, AutoCloseable {

    /** NOTE: what {@link #scrape()} returns; the API sends it as the response's content type. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /** Small fixed buckets (plus +Inf): 13 series per histogram rather than ~70. */
    private static final Duration[] BUCKETS = {
        Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(50),
        Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(5),
        Duration.ofSeconds(30), Duration.ofSeconds(120),
    };

    private final Supplier<AgentStatus> status;
    private final Clock clock;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();

    private final Counter pollsUnchanged;
    private final Counter pollsFetched;
    private final Map<Reason, Counter> pollsFailed = new EnumMap<>(Reason.class);
    private final Timer pollDuration;
    private final Timer tickDuration;
    private final Counter appliesSucceeded;
    private final Map<io.voltis.agent.reconcile.ApplyReason, Counter> appliesFailed =
            new java.util.EnumMap<>(io.voltis.agent.reconcile.ApplyReason.class);
    private final Timer applyDuration;
    private final Counter driftCorrections;
    private volatile double lastPollSeconds = Double.NaN;
    private volatile double lastApplySeconds = Double.NaN;

    /** The status as of the last scrape; the status gauges read it. */
    private volatile AgentStatus current;
    private final Object scrapeLock = new Object();
    private final MultiGauge revisionInfo;
    private final MultiGauge serviceUp;
    private final MultiGauge serviceHealthy;
    private final MultiGauge rolloutInfo;
    private final MultiGauge rolloutEligible;
    /** Restart counters by service name, registered while the service is in the status; under scrapeLock. */
    private final Map<String, Restarts> restarts = new HashMap<>();

    public AgentMetrics(Supplier<AgentStatus> status, Clock clock) {
        this.status = status;
        this.clock = clock;

        pollsUnchanged = polls("unchanged").register(registry);
        pollsFetched = polls("fetched").register(registry);
        for (Reason r : Reason.values()) {
            pollsFailed.put(r, polls("failed").tag("reason", r.word()).register(registry));
        }
        pollDuration = timer("voltis.poll.duration", "Time a poll of the Git source took, whatever its result");
        Gauge.builder("voltis.last.successful.poll.timestamp.seconds", () -> lastPollSeconds)
                .description("Epoch seconds of the last poll that reached the source (NaN until one)")
                .register(registry);

        tickDuration = timer("voltis.reconcile.tick.duration", "Time a reconcile tick took");

        appliesSucceeded = applies("succeeded");
        for (io.voltis.agent.reconcile.ApplyReason r : io.voltis.agent.reconcile.ApplyReason.values()) {
            if (r.trust()) {
                continue; // a refused revision is not an apply: voltis_revision_verifications_total counts it
            }
            appliesFailed.put(r, Counter.builder("voltis.applies").description("Revisions applied, by result (and, for"
                    + " failed ones, the reason word)").tag("result", "failed").tag("reason", r.word()).register(registry));
        }
        applyDuration = timer("voltis.apply.duration", "Time applying a revision took, whatever its result");
        Gauge.builder("voltis.last.successful.apply.timestamp.seconds", () -> lastApplySeconds)
                .description("Epoch seconds of the last revision applied successfully (NaN until one)")
                .register(registry);
        driftCorrections = Counter.builder("voltis.drift.corrections")
                .description("Files found changed on disk and put back to the applied revision's content")
                .register(registry);
        revisionInfo = MultiGauge.builder("voltis.applied.revision.info")
                .description("Always 1; its labels name the applied revision and workload")
                .register(registry);
        serviceUp = MultiGauge.builder("voltis.service.up")
                .description("1 if the service is running and not failing its health check")
                .register(registry);
        serviceHealthy = MultiGauge.builder("voltis.service.healthy")
                .description("1 if the service's health check passes, 0 if it fails; absent while unknown")
                .register(registry);
        rolloutInfo = MultiGauge.builder("voltis.rollout.info")
                .description("Always 1 while the head's workload has a rollout plan; its labels name the state, wave and release")
                .register(registry);
        rolloutEligible = MultiGauge.builder("voltis.rollout.eligible.timestamp.seconds")
                .description("When the device's wave of the head's release may move (Unix seconds); absent without a wave")
                .register(registry);

        statusGauges();
        bindJvm();
    }

    /** One poll of the source ended with {@code result}. */
    public void polled(PollResult result, Duration took) {
        if (result instanceof PollResult.Failed f) {
            Counter c = f.reason() == null ? null : pollsFailed.get(f.reason());
            if (c != null) {
                c.increment();
            } else {
                failedWithoutReason().increment();
            }
        } else if (result instanceof PollResult.Fetched) {
            pollsFetched.increment();
        } else {
            pollsUnchanged.increment();
        }
        if (result.ok()) {
            lastPollSeconds = epochSeconds();
        }
        pollDuration.record(took);
    }

    /** One reconcile tick ended. */
    public void ticked(Duration took) {
        tickDuration.record(took);
    }

    /** Applying a revision ended: {@code failed} is why it failed, null when it succeeded. */
    @Override
    public void applied(io.voltis.agent.reconcile.ApplyReason failed, Duration took) {
        if (failed == null) {
            appliesSucceeded.increment();
            lastApplySeconds = epochSeconds();
        } else {
            appliesFailed.get(failed).increment();
        }
        applyDuration.record(took);
    }

    /**
     * A commit's signature was verified ({@code verify: warn|enforce}): {@code result} is
     * {@code Verified}, a trust reason word or {@code Accepted}. The series appear with the first
     * verification: a device with {@code verify: off} has none.
     */
    @Override
    public void verified(String result) {
        Counter.builder("voltis.revision.verifications").description("Commit signatures verified, by result (Verified,"
                + " or the reason word)").tag("result", result).register(registry).increment();
    }

    @Override
    public void gateEnded(boolean passed, Duration took) {
        Timer.builder("voltis.gate.duration").description("How long a health gate ran, by result (passed: the whole"
                + " window; failed: until the failure)").tag("result", passed ? "passed" : "failed")
                .serviceLevelObjectives(BUCKETS).register(registry).record(took);
    }

    @Override
    public void rolledBack(io.voltis.agent.reconcile.HealthGate.Cause cause) {
        Counter.builder("voltis.rollbacks").description("Automatic rollbacks to the last verified revision, by why the"
                + " health gate failed").tag("reason", cause.word()).register(registry).increment();
    }

    /**
     * Notifications to {@code target}: {@code result} delivered, failed (an attempt; it is tried
     * again) or dropped (past the target's max-age or max-queue). The series of a target appear
     * with its first attempt.
     */
    public void notified(String target, String result, int n) {
        Counter.builder("voltis.notifications").description("Notification deliveries by target and result (delivered,"
                + " failed: an attempt, tried again; dropped)").tag("target", target).tag("result", result)
                .register(registry).increment(n);
    }

    /** One gauge per notification target: how many notices wait in its outbox. */
    public void notifyTargets(java.util.Collection<String> targets, java.util.function.ToIntFunction<String> pending) {
        for (String t : targets) {
            Gauge.builder("voltis.notification.outbox.depth", () -> pending.applyAsInt(t))
                    .description("Notifications waiting in the outbox, by target").tag("target", t).register(registry);
        }
    }

    /** A tick put {@code files} drifted files back. */
    @Override
    public void driftCorrected(int files) {
        if (files > 0) {
            driftCorrections.increment(files);
        }
    }

    /** The Prometheus text exposition (format 0.0.4, see {@link #CONTENT_TYPE}) with status read now. */
    public String scrape() {
        synchronized (scrapeLock) {
            refresh(status.get());
            return registry.scrape();
        }
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }

    /** Gauges of the status read by the last scrape; all present whatever the status. */
    private void statusGauges() {
        for (Phase p : Phase.values()) {
            Gauge.builder("voltis.phase", () -> current != null && current.phase() == p ? 1 : 0)
                    .description("1 for the device's current phase, 0 for the other phases")
                    .tag("phase", p.word())
                    .register(registry);
        }
        Gauge.builder("voltis.desired.revision.differs", () -> lagging(current) ? 1 : 0)
                .description("1 while the desired revision is known and is not the applied one")
                .register(registry);
        Gauge.builder("voltis.pinned", () -> current != null && current.pin() != null ? 1 : 0)
                .description("1 while the device is held to a pinned revision")
                .register(registry);
        Gauge.builder("voltis.rollout.waiting", () -> current != null && current.rollout() != null
                        && current.rollout().waiting() != null ? 1 : 0)
                .description("1 while the rollout plan keeps the device from the head (its wave starts later, a pause, no wave)")
                .register(registry);
        Gauge.builder("voltis.source.reachable", () -> current != null && current.source() != null
                        && current.source().reachable() ? 1 : 0)
                .description("1 if the last poll reached the Git source")
                .register(registry);
    }

    /** The JVM basics only: each binder adds series, and the device pays for every one. */
    private void bindJvm() {
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    private void refresh(AgentStatus now) {
        current = now;
        List<MultiGauge.Row<?>> revision = new ArrayList<>();
        if (now != null && now.appliedRevision() != null) {
            revision.add(MultiGauge.Row.of(Tags.of("revision", now.appliedRevision(),
                    "workload", now.workload() == null ? "" : now.workload()), 1));
        }
        revisionInfo.register(revision, true);

        List<MultiGauge.Row<?>> rollout = new ArrayList<>();
        List<MultiGauge.Row<?>> eligible = new ArrayList<>();
        if (now != null && now.rollout() != null) {
            var r = now.rollout();
            Tags tags = Tags.of("workload", r.workload(), "state", r.state(), "wave", r.wave() == null ? "" : r.wave(),
                    "release", r.release() == null ? "" : r.release());
            rollout.add(MultiGauge.Row.of(tags, 1));
            if (r.eligibleAt() != null) {
                eligible.add(MultiGauge.Row.of(Tags.of("workload", r.workload(), "wave", r.wave() == null ? "" : r.wave()),
                        r.eligibleAt().getEpochSecond()));
            }
        }
        rolloutInfo.register(rollout, true);
        rolloutEligible.register(eligible, true);

        Map<String, ServiceStatus> services = new LinkedHashMap<>();
        if (now != null) {
            now.services().forEach(s -> services.putIfAbsent(s.name(), s));
        }
        List<MultiGauge.Row<?>> up = new ArrayList<>();
        List<MultiGauge.Row<?>> healthy = new ArrayList<>();
        services.values().forEach(s -> {
            Tags tags = Tags.of("service", s.name());
            boolean running = s.actual() == ServiceStatus.Actual.RUNNING && !Boolean.FALSE.equals(s.healthy());
            up.add(MultiGauge.Row.of(tags, running ? 1 : 0));
            if (s.healthy() != null) {
                healthy.add(MultiGauge.Row.of(tags, s.healthy() ? 1 : 0));
            }
            restarts.computeIfAbsent(s.name(), this::restartCounter).count.set(s.restarts());
        });
        serviceUp.register(up, true);
        serviceHealthy.register(healthy, true);
        restarts.entrySet().removeIf(e -> {
            if (services.containsKey(e.getKey())) {
                return false;
            }
            registry.remove(e.getValue().meter);
            return true;
        });
    }

    /**
     * The runtime owns the count and resets it when a service is restarted for a new revision:
     * a counter, so that {@code increase()} reads those resets as resets.
     */
    private Restarts restartCounter(String service) {
        AtomicLong count = new AtomicLong();
        FunctionCounter meter = FunctionCounter.builder("voltis.service.restarts", count, AtomicLong::doubleValue)
                .description("Restarts of the service since it was started for the applied revision")
                .tag("service", service)
                .register(registry);
        return new Restarts(count, meter);
    }

    private record Restarts(AtomicLong count, FunctionCounter meter) {
    }

    private static boolean lagging(AgentStatus s) {
        return s != null && s.desiredRevision() != null && !s.desiredRevision().equals(s.appliedRevision());
    }

    private double epochSeconds() {
        return clock.millis() / 1000.0;
    }

    private Counter.Builder polls(String result) {
        return Counter.builder("voltis.polls")
                .description("Polls of the Git source by result (and, for failed ones, the reason word)")
                .tag("result", result);
    }

    /** A Failed always carries a reason; should one not, it is counted without the label. */
    private Counter failedWithoutReason() {
        return polls("failed").register(registry);
    }

    private Counter applies(String result) {
        return Counter.builder("voltis.applies")
                .description("Revisions applied, by result (and, for failed ones, the reason word)")
                .tag("result", result)
                .register(registry);
    }

    private Timer timer(String name, String description) {
        return Timer.builder(name)
                .description(description)
                .serviceLevelObjectives(BUCKETS)
                .register(registry);
    }
}
