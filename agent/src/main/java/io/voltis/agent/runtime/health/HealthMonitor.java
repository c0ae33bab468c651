package io.voltis.agent.runtime.health;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.voltis.agent.runtime.ServiceDefinition;
import io.voltis.agent.runtime.ServiceLogs;
import io.voltis.agent.runtime.ServiceRuntime;
import io.voltis.agent.runtime.ServiceStatus;
import io.voltis.model.ServiceState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one owner of health checks, for every runtime: a {@link ServiceRuntime} that passes each
 * call to the runtime it wraps and adds {@code healthy} to the statuses that runtime reports.
 * For each applied service with a {@code health} check and {@code state: running}, it reads the
 * service's status every {@code interval} and, while the runtime reports it {@code running},
 * probes it with the check's {@code timeout}. One success makes the service healthy;
 * {@code failures} failed probes in a row (default 3) make it unhealthy, with a message naming
 * the probe and its reason ({@code running as pid 42; health check failing: GET
 * http://127.0.0.1:8080/health: connection refused}). {@code healthy} is null without a check,
 * while the service does not run, and from the start of each run (a restart, a new definition)
 * until a probe of that run has decided. A probe never restarts anything. Each change between
 * healthy and unhealthy is one line in the log.
 *
 * <p>A command probe runs in the service's working directory with exactly the environment the
 * runtime gives the service ({@link ServiceRuntime#environment}), never the agent's own. Probes
 * run on at most {@code threads} daemon threads named {@code voltis-health-<n>}; {@link #close()}
 * stops them (a command probe in flight is killed) and then closes the wrapped runtime.
 */
public final class HealthMonitor implements ServiceRuntime {

    /** Probes that may block at once, each for at most its timeout. */
    public static final int DEFAULT_THREADS = 4;

    private static final Logger LOG = LoggerFactory.getLogger(HealthMonitor.class);
    /** How long {@link #close()} waits for probes in flight (a TCP connect cannot be interrupted). */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    private final ServiceRuntime runtime;
    private final Clock clock;
    private final ScheduledThreadPoolExecutor executor;
    private final Map<String, Watch> watches = new ConcurrentHashMap<>();

    public HealthMonitor(ServiceRuntime runtime, Clock clock) {
        this(runtime, clock, DEFAULT_THREADS);
    }

    /** {@code clock} must tell the time the runtime's {@code since} is written in. */
    public HealthMonitor(ServiceRuntime runtime, Clock clock, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1: " + threads);
        }
        this.runtime = runtime;
        this.clock = clock;
        AtomicInteger count = new AtomicInteger();
        this.executor = new ScheduledThreadPoolExecutor(threads, task -> {
            Thread thread = new Thread(task, "voltis-health-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
    }

    /** Applies {@code definition} to the wrapped runtime, then starts, changes or ends the watch of its health. */
    @Override
    public void apply(ServiceDefinition definition) {
        runtime.apply(definition);
        String name = definition.name();
        if (definition.health() == null || definition.state() != ServiceState.RUNNING) {
            unwatch(name);
            return;
        }
        Map<String, String> env = runtime.environment(definition);
        watches.computeIfAbsent(name, n -> new Watch(n, runtime, executor, clock)).define(definition, env);
    }

    @Override
    public void remove(String name) {
        unwatch(name);
        runtime.remove(name);
    }

    @Override
    public List<String> names() {
        return runtime.names();
    }

    @Override
    public Optional<ServiceStatus> status(String name) {
        return runtime.status(name).map(this::merge);
    }

    @Override
    public List<ServiceStatus> statuses() {
        return runtime.statuses().stream().map(this::merge).toList();
    }

    @Override
    public ServiceLogs logs() {
        return runtime.logs();
    }

    @Override
    public Map<String, String> environment(ServiceDefinition definition) {
        return runtime.environment(definition);
    }

    /** Stops probing (killing command probes in flight), then closes the wrapped runtime. */
    @Override
    public void close() {
        try {
            watches.values().forEach(Watch::stop);
            watches.clear();
            executor.shutdownNow();
            if (!executor.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("health probes still running after {}; the agent stops without them", CLOSE_WAIT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            runtime.close();
        }
    }

    private ServiceStatus merge(ServiceStatus status) {
        Watch watch = watches.get(status.name());
        if (watch != null) {
            return watch.merge(status);
        }
        return status.healthy() == null ? status : new ServiceStatus(status.name(), status.desired(), status.actual(),
                null, status.restarts(), status.since(), status.lastExitCode(), status.lastLogLines(), status.message());
    }

    private void unwatch(String name) {
        Watch watch = watches.remove(name);
        if (watch != null) {
            watch.stop();
        }
    }
}
