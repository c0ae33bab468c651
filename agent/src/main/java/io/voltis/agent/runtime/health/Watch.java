package io.voltis.agent.runtime.health;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.voltis.agent.runtime.ServiceDefinition;
import io.voltis.agent.runtime.ServiceRuntime;
import io.voltis.agent.runtime.ServiceStatus;
import io.voltis.agent.runtime.ServiceStatus.Actual;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The health of one service: every {@code interval} it reads the service's status from the
 * runtime and, while the service runs, probes it. The verdict belongs to one run, told apart by
 * its start time and restart count: when the run changes, or the service stops, or a new
 * definition comes, {@code healthy} is null again until a probe of the new run answers, and the
 * first probe of a run comes one interval after the run started. One success makes the service
 * healthy; {@code failures} failed probes in a row make it unhealthy. State is guarded by
 * {@code this}; no lock is held while a probe or the runtime works, and a tick of an older
 * definition changes nothing.
 */
final class Watch {

    private static final Logger LOG = LoggerFactory.getLogger(HealthMonitor.class);

    /** One run of a service, as a status shows it. */
    record RunKey(Instant since, int restarts) {

        /** Null when the service does not run. */
        static RunKey of(ServiceStatus status) {
            return status.actual() == Actual.RUNNING ? new RunKey(status.since(), status.restarts()) : null;
        }
    }

    private final String name;
    private final ServiceRuntime runtime;
    private final ScheduledExecutorService executor;
    private final Clock clock;

    private ServiceDefinition definition;
    private HealthProbe probe;
    /** Why no probe could be built from the check, or null. */
    private String problem;
    /** Bumped by every new definition and by {@link #stop()}: ticks of an older generation do nothing. */
    private long generation;
    private boolean stopped;
    private ScheduledFuture<?> next;
    private RunKey run;
    private Boolean healthy;
    private int failedInARow;
    private String reason;
    /** The last verdict written to the log, kept across runs so a restart does not log it again. */
    private Boolean logged;
    /** The last unexpected error of a tick, so that a lasting one is logged once. */
    private String lastError;

    Watch(String name, ServiceRuntime runtime, ScheduledExecutorService executor, Clock clock) {
        this.name = name;
        this.runtime = runtime;
        this.executor = executor;
        this.clock = clock;
    }

    /** Starts watching {@code next} (with a health check), run with {@code env}; the same definition again changes nothing. */
    synchronized void define(ServiceDefinition next, Map<String, String> env) {
        if (stopped || next.equals(definition)) {
            return;
        }
        definition = next;
        probe = null;
        problem = null;
        try {
            probe = HealthProbe.of(next.health(), next.workingDir(), env);
        } catch (IllegalArgumentException e) {
            problem = e.getMessage();
        }
        reset(null);
        generation++;
        cancel();
        schedule(Duration.ZERO);
    }

    /** No more probes; a probe in flight is left to finish and its answer is dropped. */
    synchronized void stop() {
        stopped = true;
        generation++;
        cancel();
    }

    /** {@code status} with this watch's verdict: null unless a probe of the run it shows has decided. */
    synchronized ServiceStatus merge(ServiceStatus status) {
        RunKey shown = RunKey.of(status);
        if (shown == null) {
            return with(status, null, status.message());
        }
        if (problem != null) {
            return with(status, null, running(status) + "; health check not run: " + problem);
        }
        if (!shown.equals(run) || healthy == null) {
            return with(status, null, status.message());
        }
        if (healthy) {
            return with(status, Boolean.TRUE, status.message());
        }
        return with(status, Boolean.FALSE, running(status) + "; health check failing: " + probe.target() + ": " + reason);
    }

    private void tick(long scheduled) {
        Duration delay = null;
        try {
            delay = observe(scheduled);
        } catch (RuntimeException e) {
            complain(e);
        } finally {
            synchronized (this) {
                if (!stopped && scheduled == generation) {
                    schedule(delay != null ? delay : definition.health().interval());
                }
            }
        }
    }

    /** One turn: reads the status, probes a run that is due, and says when to look again (null: one interval). */
    private Duration observe(long scheduled) {
        HealthProbe current;
        Duration interval;
        synchronized (this) {
            if (stopped || scheduled != generation) {
                return null;
            }
            current = probe;
            interval = definition.health().interval();
        }
        Optional<ServiceStatus> status = runtime.status(name);
        RunKey now = status.map(RunKey::of).orElse(null);
        synchronized (this) {
            if (scheduled != generation) {
                return null;
            }
            lastError = null;
            if (!Objects.equals(now, run)) {
                reset(now);
                return now == null ? interval : untilFirstProbe(now, interval);
            }
            if (now == null || current == null) {
                return interval;
            }
        }
        HealthProbe.Result result = check(current);
        synchronized (this) {
            if (scheduled == generation && now.equals(run)) {
                record(result);
            }
        }
        return interval;
    }

    /** A run is first probed one interval after it started: a service just started is rarely ready. */
    private Duration untilFirstProbe(RunKey started, Duration interval) {
        if (started.since() == null) {
            return interval;
        }
        Duration left = Duration.between(clock.instant(), started.since().plus(interval));
        return left.isNegative() ? Duration.ZERO : left.compareTo(interval) > 0 ? interval : left;
    }

    private HealthProbe.Result check(HealthProbe current) {
        try {
            return current.check();
        } catch (RuntimeException e) {
            LOG.warn("service {}: health check {} failed unexpectedly", name, current.target(), e);
            return HealthProbe.Result.failed("the probe failed: " + e);
        }
    }

    private void record(HealthProbe.Result result) {
        if (result.ok()) {
            failedInARow = 0;
            reason = null;
            healthy = Boolean.TRUE;
        } else {
            failedInARow++;
            reason = result.reason();
            if (failedInARow >= definition.health().failures()) {
                healthy = Boolean.FALSE;
            }
        }
        if (healthy != null && !healthy.equals(logged)) {
            if (healthy) {
                LOG.info("service {} is healthy{}: {} answered", name, logged == null ? "" : " again", probe.target());
            } else {
                LOG.warn("service {} is unhealthy: {}: {} ({} probe(s) in a row failed)", name, probe.target(), reason,
                        failedInARow);
            }
            logged = healthy;
        }
    }

    private void reset(RunKey next) {
        run = next;
        healthy = null;
        failedInARow = 0;
        reason = null;
    }

    private void complain(RuntimeException e) {
        String text = String.valueOf(e);
        synchronized (this) {
            if (text.equals(lastError)) {
                LOG.debug("service {}: health monitor: {}", name, text);
                return;
            }
            lastError = text;
        }
        LOG.warn("service {}: a health monitor turn failed; it tries again every interval", name, e);
    }

    private void schedule(Duration delay) {
        long scheduled = generation;
        try {
            next = executor.schedule(() -> tick(scheduled), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            LOG.debug("service {}: no more health checks, the monitor is closed", name);
        }
    }

    private void cancel() {
        if (next != null) {
            next.cancel(false);
            next = null;
        }
    }

    private static String running(ServiceStatus status) {
        return status.message() == null || status.message().isBlank() ? "running" : status.message();
    }

    private static ServiceStatus with(ServiceStatus s, Boolean healthy, String message) {
        return new ServiceStatus(s.name(), s.desired(), s.actual(), healthy, s.restarts(), s.since(), s.lastExitCode(),
                s.lastLogLines(), message);
    }
}
