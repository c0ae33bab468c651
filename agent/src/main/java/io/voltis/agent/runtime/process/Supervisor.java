package io.voltis.agent.runtime.process;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.voltis.agent.runtime.ServiceDefinition;
import io.voltis.agent.runtime.ServiceStatus;
import io.voltis.agent.runtime.ServiceStatus.Actual;
import io.voltis.model.Durations;
import io.voltis.model.ServiceState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one service in its desired state: starts it, notices its exit, restarts it by policy
 * after a backoff, stops it. It does not probe health (the health monitor does, over the
 * runtime's status). {@link #apply} and {@link #remove} come from the reconcile thread; exits
 * and restarts arrive on the runtime's timer; status is
 * read from anywhere. All state is guarded by {@code this}; nothing waits for a process while
 * holding it, and every callback checks that the run it belongs to is still the current one.
 */
final class Supervisor {

    private static final Logger LOG = LoggerFactory.getLogger(Supervisor.class);
    /** What {@code setsid} prints when it cannot exec the command (util-linux). */
    private static final String SETSID_FAILED = "setsid: failed to execute ";

    private final String name;
    private final Parts parts;
    private final ServiceLog log;

    private ServiceDefinition definition;
    private Map<String, String> environment = Map.of();
    private Run run;
    private ScheduledFuture<?> pendingStart;
    /** Bumped whenever the supervisor is told something new, so that stale timer tasks do nothing. */
    private long epoch;
    /** Set by a shutdown or removal: nothing starts any more, even an apply already in flight. */
    private boolean closed;
    private Actual actual = Actual.STOPPED;
    private Instant since;
    private int restarts;
    private int failures;
    private Integer lastExitCode;
    private String message;

    Supervisor(String name, Parts parts, ServiceLog log) {
        this.name = name;
        this.parts = parts;
        this.log = log;
        this.since = parts.clock().instant();
    }

    /** Starts, restarts or stops to match {@code next}; returns once a process is started (or could not be). */
    void apply(ServiceDefinition next) {
        Run old;
        synchronized (this) {
            if (closed || (definition != null && definition.fingerprint().equals(next.fingerprint())
                    && definition.state() == next.state())) {
                return;
            }
            old = detach();
        }
        Integer code = stop(old);
        synchronized (this) {
            if (closed) {
                return; // the agent stopped while this apply stopped the old process
            }
            definition = next;
            environment = parts.launcher().environment(next, parts.marks());
            restarts = 0;
            failures = 0;
            if (old != null) {
                lastExitCode = code;
                become(Actual.STOPPED, "stopped");
            }
            if (next.state() == ServiceState.RUNNING) {
                start();
            } else {
                become(Actual.STOPPED, "stopped");
            }
        }
    }

    /** Stops the service for good and closes its log. */
    void remove() {
        Run old;
        synchronized (this) {
            closed = true;
            old = detach();
        }
        Integer code = stop(old);
        stopped(old, code, "stopped");
    }

    /** First half of a shutdown shared with other services: no more restarts, and the run to stop. */
    synchronized Run shutdown() {
        closed = true;
        return detach();
    }

    /** Second half of a shutdown (or of {@link #remove}): the run was stopped with {@code code}. */
    void stopped(Run old, Integer code, String why) {
        synchronized (this) {
            if (old != null) {
                lastExitCode = code;
                parts.pidFiles().forget(name, old.pid());
            }
            become(Actual.STOPPED, why);
        }
        log.close();
    }

    synchronized ServiceStatus status() {
        String desired = definition == null ? ServiceState.STOPPED.keyword() : definition.state().keyword();
        return new ServiceStatus(name, desired, actual, null, restarts, since, lastExitCode, log.tail(), message);
    }

    private Run detach() {
        epoch++;
        if (pendingStart != null) {
            pendingStart.cancel(false);
            pendingStart = null;
        }
        Run old = run;
        run = null;
        return old;
    }

    private Integer stop(Run old) {
        if (old == null) {
            return null;
        }
        Stopper.stop(List.of(old), parts.settings().stopGrace());
        endEscaped(parts.settings().stopGrace());
        parts.pidFiles().forget(name, old.pid());
        LOG.info("service {} stopped (pid {})", name, old.pid());
        return old.exitCode();
    }

    private void start() {
        try {
            Process process = parts.launcher().start(definition, environment);
            Thread pump = LinePump.start(process.getInputStream(), log, name);
            Run started = new Run(name, process, new ProcessGroup(process.pid(), parts.launcher().shell()), pump,
                    parts.clock().instant());
            run = started;
            parts.pidFiles().write(name, process.pid());
            become(Actual.RUNNING, "running as pid " + process.pid());
            LOG.info("service {} started (pid {})", name, process.pid());
            process.onExit().thenRunAsync(() -> exited(started), parts.timer());
        } catch (CannotStart e) {
            LOG.warn("service {}: {}", name, e.getMessage());
            if (definition.restart().restarts(127)) {
                scheduleStart(e.getMessage());
            } else {
                become(Actual.FAILED, e.getMessage());
            }
        } catch (RejectedExecutionException e) {
            LOG.debug("service {} started while the runtime shuts down", name);
        }
    }

    private void exited(Run ended) {
        synchronized (this) {
            if (ended != run) {
                return; // stopped on purpose; whoever stopped it reports
            }
            run = null;
            ended.reapLeftovers();
            endEscaped(java.time.Duration.ZERO); // as the group's leftovers: at once, under the lock
            parts.pidFiles().forget(name, ended.pid());
            int code = ended.process().exitValue();
            lastExitCode = code;
            Duration uptime = Duration.between(ended.startedAt(), parts.clock().instant());
            if (uptime.compareTo(parts.backoff().stableAfter()) >= 0) {
                failures = 0;
            }
            String why = why(ended, code);
            LOG.info("service {} (pid {}): {}", name, ended.pid(), why);
            if (definition.restart().restarts(code)) {
                scheduleStart(why);
            } else {
                become(code == 0 ? Actual.STOPPED : Actual.FAILED,
                        why + "; not restarted (restart: " + definition.restart().keyword() + ")");
            }
        }
    }

    /** Why a run ended, in one line: setsid's own complaint when the command could not be executed. */
    private String why(Run ended, int code) {
        if (code == 126 || code == 127) {
            try {
                ended.drain();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            List<String> tail = log.tail();
            for (int i = tail.size() - 1; i >= 0; i--) {
                if (tail.get(i).startsWith(SETSID_FAILED)) {
                    return "cannot start: " + tail.get(i).substring(SETSID_FAILED.length());
                }
            }
        }
        return "exited with code " + code;
    }

    /**
     * Ends what the service started outside its process group ({@code setsid}, a double fork):
     * only ever called while no run of this service is current, so the next start is untouched.
     */
    private void endEscaped(Duration grace) {
        int ended = parts.marks().end(ProcessMarks.SERVICE_VAR, parts.marks().service(name), grace);
        if (ended > 0) {
            LOG.info("service {}: ended {} process(es) it had started outside its process group", name, ended);
        }
    }

    private void scheduleStart(String why) {
        failures++;
        Duration delay = parts.backoff().delay(failures);
        become(Actual.BACKOFF, why + "; restarting in " + Durations.format(delay));
        long current = epoch;
        try {
            pendingStart = parts.timer().schedule(() -> restart(current), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            LOG.debug("service {} not restarted: the runtime shuts down", name);
        }
    }

    private synchronized void restart(long scheduledAt) {
        if (scheduledAt != epoch) {
            return;
        }
        pendingStart = null;
        restarts++;
        start();
    }

    private void become(Actual next, String why) {
        if (next != actual) {
            since = parts.clock().instant();
            actual = next;
        }
        message = why;
    }
}
