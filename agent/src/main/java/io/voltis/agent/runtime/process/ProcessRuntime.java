package io.voltis.agent.runtime.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.regex.Pattern;

import ch.qos.logback.core.ContextBase;
import ch.qos.logback.core.status.Status;
import io.voltis.agent.runtime.ServiceDefinition;
import io.voltis.agent.runtime.ServiceRuntime;
import io.voltis.agent.runtime.ServiceStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Supervises each service as a child process of the agent. A service runs through
 * {@code setsid} as the leader of its own process group, so that stopping it (SIGTERM to the
 * group, SIGKILL after {@link Settings#stopGrace()}) leaves none of the processes it forked
 * behind. Its environment is exactly the definition's {@code env} over the agent's PATH, HOME,
 * LANG and TZ; its stdout and stderr go to {@code <logDir>/<name>.log}, rotated by size. A
 * process that exits is started again when its {@link io.voltis.model.RestartPolicy} says so,
 * after an exponential backoff; meanwhile its status is {@code backoff}, with the exit code and
 * the last lines of its log. This runtime does not probe health checks and reports
 * {@code healthy} null: {@link io.voltis.agent.runtime.health.HealthMonitor} wraps it and does.
 *
 * <p>Services are children of the agent: {@link #close()} stops every one of them (SIGTERM,
 * grace, SIGKILL) and the next agent start starts them again. Services that an agent killed
 * with SIGKILL left running are found through {@code <logDir>/<name>.pid} and stopped when the
 * next runtime is constructed. {@code apply} and {@code remove} may block for one stop grace
 * period; status may be read from any thread at any time.
 */
public final class ProcessRuntime implements ServiceRuntime {

    private static final Logger LOG = LoggerFactory.getLogger(ProcessRuntime.class);
    /** The shape model validation gives service names; they become file and thread names here. */
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

    /**
     * The runtime's tunables. {@code logFiles} rotated files of {@code logMaxBytes} are kept
     * besides the active one, so a service's log takes at most {@code (logFiles + 1) * logMaxBytes}
     * (plus one line).
     */
    public record Settings(Duration stopGrace, Duration initialBackoff, Duration maxBackoff, long logMaxBytes,
                           int logFiles) {

        /** 10 s grace, backoff 1 s doubling to 60 s, logs of 5 MiB with 3 rotated files. */
        public static final Settings DEFAULTS = new Settings(Duration.ofSeconds(10), Duration.ofSeconds(1),
                Duration.ofSeconds(60), 5L * 1024 * 1024, 3);

        public Settings {
            if (stopGrace.isNegative()) {
                throw new IllegalArgumentException("stopGrace must not be negative: " + stopGrace);
            }
            if (initialBackoff.isNegative() || initialBackoff.isZero()) {
                throw new IllegalArgumentException("initialBackoff must be longer than 0: " + initialBackoff);
            }
            if (maxBackoff.compareTo(initialBackoff) < 0) {
                throw new IllegalArgumentException("maxBackoff " + maxBackoff + " is shorter than initialBackoff "
                        + initialBackoff);
            }
            if (logMaxBytes < 1024) {
                throw new IllegalArgumentException("logMaxBytes must be at least 1024: " + logMaxBytes);
            }
            if (logFiles < 1 || logFiles > 20) {
                throw new IllegalArgumentException("logFiles must be 1 to 20: " + logFiles);
            }
        }
    }

    private final Path logDir;
    private final Parts parts;
    private final ContextBase logContext = new ContextBase();
    private final Map<String, Supervisor> services = new LinkedHashMap<>();
    private boolean closed;

    /** A runtime whose services inherit PATH, HOME, LANG and TZ from this JVM's environment. */
    public ProcessRuntime(Path logDir, Clock clock, ScheduledExecutorService timer, Settings settings) {
        this(logDir, clock, timer, settings, System.getenv());
    }

    /**
     * A runtime whose services inherit PATH, HOME, LANG and TZ from {@code agentEnv} (and nothing
     * else from it). {@code timer} runs restarts and exit handling; its tasks
     * are short. It stays the caller's: {@link #close()} does not shut it down
     * ({@link #newTimer()} makes a suitable one).
     *
     * <p>Blocks for up to one grace period when services of a killed agent are still running.
     *
     * @throws IllegalStateException when {@code setsid} (util-linux) is not installed
     * @throws UncheckedIOException when {@code logDir} cannot be created
     */
    public ProcessRuntime(Path logDir, Clock clock, ScheduledExecutorService timer, Settings settings,
                          Map<String, String> agentEnv) {
        this(logDir, clock, timer, settings, agentEnv, null);
    }

    /**
     * As {@link #ProcessRuntime(Path, Clock, ScheduledExecutorService, Settings, Map)}, with the
     * agent's {@link ProcessMarks} ({@code null}: a token of this runtime's own, kept in {@code logDir}).
     * Processes of a previous agent that carry a service mark are ended here, with the groups
     * named by pid files.
     */
    public ProcessRuntime(Path logDir, Clock clock, ScheduledExecutorService timer, Settings settings,
                          Map<String, String> agentEnv, ProcessMarks marks) {
        Launcher launcher = Launcher.find(agentEnv);
        this.logDir = logDir;
        createPrivateDir(logDir);
        ProcessMarks found = marks == null ? ProcessMarks.forStateDir(logDir) : marks;
        PidFiles pidFiles = new PidFiles(logDir, launcher.shell());
        pidFiles.stopLeftovers(settings.stopGrace());
        int escaped = found.endAll(ProcessMarks.SERVICE_VAR, settings.stopGrace());
        if (escaped > 0) {
            LOG.warn("ended {} process(es) that services of a previous agent left outside their process groups", escaped);
        }
        this.parts = new Parts(settings, clock, timer, launcher,
                new Backoff(settings.initialBackoff(), settings.maxBackoff()), pidFiles, found);
        logContext.setName("voltis-service-logs");
        logContext.getStatusManager().add(ProcessRuntime::reportLogProblem);
        logContext.start();
    }

    /** A single-thread timer on a daemon thread named {@code voltis-runtime-timer}. */
    public static ScheduledExecutorService newTimer() {
        return Executors.newSingleThreadScheduledExecutor(task -> daemon(task, "voltis-runtime-timer"));
    }

    @Override
    public io.voltis.agent.runtime.ServiceLogs logs() {
        return new LogFiles(logDir);
    }

    /** The definition's {@code env} over the agent's PATH, HOME, LANG and TZ: exactly what the process gets. */
    @Override
    public Map<String, String> environment(ServiceDefinition definition) {
        return parts.launcher().environment(definition, parts.marks());
    }

    @Override
    public void apply(ServiceDefinition definition) {
        String name = definition.name();
        if (!NAME.matcher(name).matches() || name.contains("..")) {
            throw new IllegalArgumentException("'" + name + "' is not a valid service name");
        }
        Supervisor supervisor;
        synchronized (services) {
            if (closed) {
                throw new IllegalStateException("the process runtime is closed");
            }
            supervisor = services.get(name);
            if (supervisor == null) {
                Settings settings = parts.settings();
                supervisor = new Supervisor(name, parts,
                        new ServiceLog(logContext, logDir, name, settings.logMaxBytes(), settings.logFiles()));
                services.put(name, supervisor);
            }
        }
        supervisor.apply(definition);
    }

    @Override
    public void remove(String name) {
        Supervisor supervisor;
        synchronized (services) {
            supervisor = services.remove(name);
        }
        if (supervisor != null) {
            supervisor.remove();
        }
    }

    @Override
    public List<String> names() {
        synchronized (services) {
            return List.copyOf(services.keySet());
        }
    }

    @Override
    public Optional<ServiceStatus> status(String name) {
        Supervisor supervisor;
        synchronized (services) {
            supervisor = services.get(name);
        }
        return Optional.ofNullable(supervisor).map(Supervisor::status);
    }

    @Override
    public List<ServiceStatus> statuses() {
        List<Supervisor> all;
        synchronized (services) {
            all = List.copyOf(services.values());
        }
        return all.stream().map(Supervisor::status).toList();
    }

    /** Stops every service at once (SIGTERM, one shared grace period, SIGKILL) and ends the runtime's threads. */
    @Override
    public void close() {
        List<Supervisor> all;
        synchronized (services) {
            if (closed) {
                return;
            }
            closed = true;
            all = List.copyOf(services.values());
        }
        Map<Supervisor, Run> running = new LinkedHashMap<>();
        for (Supervisor supervisor : all) {
            running.put(supervisor, supervisor.shutdown());
        }
        List<Run> runs = new ArrayList<>(running.values());
        runs.removeIf(java.util.Objects::isNull);
        if (!runs.isEmpty()) {
            LOG.info("stopping {} service(s): the agent stops", runs.size());
        }
        Stopper.stop(runs, parts.settings().stopGrace());
        parts.marks().endAll(ProcessMarks.SERVICE_VAR, parts.settings().stopGrace());
        running.forEach((supervisor, run) ->
                supervisor.stopped(run, run == null ? null : run.exitCode(), "stopped with the agent"));
        logContext.stop();
    }

    private static void reportLogProblem(Status status) {
        if (status.getLevel() >= Status.WARN) {
            LOG.warn("service log: {}", status.getMessage(), status.getThrowable());
        }
    }

    private static void createPrivateDir(Path dir) {
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the service log directory " + dir + ": " + e.getMessage(), e);
        }
    }

    private static Thread daemon(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        return thread;
    }
}
