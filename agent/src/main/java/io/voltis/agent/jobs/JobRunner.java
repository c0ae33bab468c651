package io.voltis.agent.jobs;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.voltis.agent.runtime.process.ProcessGroup;
import io.voltis.agent.runtime.process.ProcessMarks;
import io.voltis.sync.store.JobRun;
import io.voltis.sync.store.RevisionStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs jobs on a fixed number of workers; the rest wait in a queue, so a burst of cron jobs
 * cannot starve the device. Each run is recorded before it starts (so a crash cannot make a
 * {@code once} job run twice) and finished with its result, exit code and the last 64 KiB of
 * its output. A run past its timeout is killed with its whole process group and whatever it
 * started outside it.
 *
 * <p>A run may outlive the agent (kill -9, OOM): it runs in a session of its own, writes its
 * output to a file and its exit code through a {@code sh} wrapper ({@link RunFiles}), and
 * carries {@link ProcessMarks#JOB_VAR} in its environment. A new runner judges every run the
 * store still has RUNNING before it runs anything (docs/decisions/0021): one that finished
 * while no agent ran gets the result it wrote; a per-revision or once run still going is
 * adopted — waited for up to its timeout, then recorded — and a new run of the same job waits
 * for it, taking its result instead of running again when it succeeded for the same revision;
 * a scheduled run still going is ended (its schedule runs it again); one that left nothing is
 * INTERRUPTED.
 */
public final class JobRunner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);
    static final int OUTPUT_TAIL = 64 * 1024;
    /** NOTE: the store's text for a run that ended with the agent and left no exit code. */
    static final String INTERRUPTED = "the agent stopped during this run";
    private static final Duration ADOPTED_POLL = Duration.ofMillis(500);
    private static final Duration END_GRACE = Duration.ofSeconds(5);

    /** How a run ended. */
    public record Outcome(JobRun.Result result, Integer exitCode, String output) {
        public boolean ok() {
            return result == JobRun.Result.SUCCEEDED;
        }
    }

    /** A previous agent's run that is still going: whose it is, and its result once it ends. */
    private record Adopted(JobRun run, CompletableFuture<Outcome> outcome) {
    }

    private final RevisionStore store;
    private final ExecutorService workers;
    private final Map<String, String> baseEnv;
    private final java.time.Clock clock;
    private final RunFiles files;
    private final ProcessMarks marks;
    /** The last run of each job, kept here so status never queries the store on a quiet tick. */
    private final Map<String, JobRun> lastRuns = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, Adopted> adopted = new java.util.concurrent.ConcurrentHashMap<>();
    /** Why an adopted run was ended on purpose, by run id: its record says so instead of "killed". */
    private final Map<Long, String> endedBecause = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * A runner whose runs keep their files in {@code jobsDir} and carry marks from {@code marks};
     * judges the runs a previous agent left RUNNING (see the class comment) before it returns.
     */
    public JobRunner(RevisionStore store, int workers, Map<String, String> baseEnv, java.time.Clock clock,
                     Path jobsDir, ProcessMarks marks) {
        this.store = store;
        this.clock = clock;
        this.baseEnv = Map.copyOf(baseEnv);
        this.files = new RunFiles(jobsDir);
        this.marks = marks;
        AtomicInteger n = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(workers, workers, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                r -> {
                    Thread t = new Thread(r, "voltis-job-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        List<JobRun> recent = store.jobRuns(null, 500);
        for (JobRun run : recent) {
            if (run.result() == JobRun.Result.RUNNING) {
                judgeLeftover(run);
            }
        }
        for (JobRun run : store.jobRuns(null, 500)) {
            lastRuns.putIfAbsent(run.job(), run);
        }
    }

    /** The last run of {@code job} on this device (its start and result), or null. */
    public JobRun lastRun(String job) {
        return lastRuns.get(job);
    }

    /**
     * Queues a run; the future completes when it ends. A run of a job whose previous agent's run
     * is still going starts only after that one ended; if that one succeeded for the same revision
     * and trigger, its outcome is this run's and nothing runs again.
     */
    public CompletableFuture<Outcome> submit(JobRequest request) {
        return CompletableFuture.supplyAsync(() -> {
            Adopted previous = adopted.get(request.name());
            if (previous != null) {
                Outcome earlier = previous.outcome().join();
                adopted.remove(request.name(), previous);
                if (earlier.ok() && java.util.Objects.equals(previous.run().revision(), request.revision())
                        && java.util.Objects.equals(previous.run().trigger(), request.trigger())) {
                    LOG.info("job {} for {} already succeeded in the run the previous agent started; not run again",
                            request.name(), request.revision());
                    return earlier;
                }
            }
            JobRun before = lastRuns.get(request.name());
            long id = store.jobStarted(request.name(), request.revision(), request.trigger());
            java.time.Instant started = clock.instant();
            lastRuns.put(request.name(), new JobRun(id, request.name(), request.revision(), request.trigger(), started,
                    null, JobRun.Result.RUNNING, null, null));
            Outcome outcome = run(request, id);
            store.jobFinished(id, outcome.result(), outcome.exitCode(), outcome.output());
            files.delete(id);
            lastRuns.put(request.name(), new JobRun(id, request.name(), request.revision(), request.trigger(), started,
                    clock.instant(), outcome.result(), outcome.exitCode(), null));
            transition(request, before, outcome);
            return outcome;
        }, workers);
    }

    /**
     * A failed run is a {@code JobFailed} event (its log line; its notification); the first
     * success after a failure is a {@code JobRecovered} event. Never throws.
     */
    private void transition(JobRequest request, JobRun before, Outcome outcome) {
        try {
            if (!outcome.ok()) {
                String last = outcome.output() == null ? "" : outcome.output().strip().lines().reduce((a, b) -> b).orElse("");
                store.addEvent(io.voltis.sync.store.EventType.JOB_FAILED, request.revision(), request.name() + ": "
                        + outcome.result().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
                        + (outcome.exitCode() == null ? "" : ", exit " + outcome.exitCode()) + " (" + request.trigger() + ")"
                        + (last.isEmpty() ? "" : "; last output: " + last));
            } else if (before != null && before.result() != JobRun.Result.SUCCEEDED && before.result() != JobRun.Result.RUNNING) {
                store.addEvent(io.voltis.sync.store.EventType.JOB_RECOVERED, request.revision(), request.name()
                        + ": succeeded (" + request.trigger() + ") after " + before.result().name().toLowerCase(java.util.Locale.ROOT));
            }
        } catch (RuntimeException e) {
            LOG.warn("job {} {}: exit {} (event not recorded: {})", request.name(), outcome.result(), outcome.exitCode(),
                    e.getMessage());
        }
    }

    /** Whether a {@code once} job has any recorded run on this device. */
    public boolean ranOnce(String name) {
        return ranOnce(store, name);
    }

    /** Whether a 'once' job {@code name} has a recorded run in {@code store} (then it never runs again). */
    public static boolean ranOnce(RevisionStore store, String name) {
        return store.jobRuns(name, 50).stream().anyMatch(r -> "once".equals(r.trigger()));
    }

    /**
     * Whether job {@code name} ran and succeeded for {@code revision} with {@code trigger} at or
     * after {@code since} (an interrupted apply's start: what it had done need not be done again).
     */
    public boolean succeededSince(String name, String revision, String trigger, java.time.Instant since) {
        Adopted running = adopted.get(name);
        if (running != null && java.util.Objects.equals(running.run().revision(), revision)) {
            return false; // the runner waits for it, and runs the job again only if it failed
        }
        return store.jobRuns(name, 50).stream().anyMatch(r -> r.result() == JobRun.Result.SUCCEEDED
                && java.util.Objects.equals(r.revision(), revision) && java.util.Objects.equals(r.trigger(), trigger)
                && !r.startedAt().isBefore(since));
    }

    /**
     * Ends the runs a previous agent left going for {@code revision} (a quarantined revision is
     * never applied, so nothing would wait for them), recording {@code why}. Returns how many.
     */
    public int endLeftoversOf(String revision, String why) {
        int ended = 0;
        for (Adopted a : adopted.values()) {
            if (java.util.Objects.equals(a.run().revision(), revision)) {
                endedBecause.put(a.run().id(), why);
                marks.end(ProcessMarks.JOB_VAR, marks.job(a.run().id()), END_GRACE);
                a.outcome().join();
                adopted.remove(a.run().job(), a);
                LOG.warn("job {} (run {}) left running by a previous agent was ended: {}", a.run().job(), a.run().id(), why);
                ended++;
            }
        }
        return ended;
    }

    /** A run the store has RUNNING: what became of it while no agent ran. */
    private void judgeLeftover(JobRun run) {
        OptionalInt exit = files.exitCode(run.id());
        if (exit.isPresent()) {
            finishLeftover(run, exit.getAsInt(), "finished while no agent was running");
            return;
        }
        String mark = marks.job(run.id());
        if (marks.find(ProcessMarks.JOB_VAR, mark).isEmpty()) {
            store.jobFinished(run.id(), JobRun.Result.INTERRUPTED, null, join(files.tail(run.id(), OUTPUT_TAIL), INTERRUPTED));
            files.delete(run.id());
            LOG.warn("job {} (run {}) ended with the previous agent; marked INTERRUPTED", run.job(), run.id());
            return;
        }
        if ("schedule".equals(run.trigger())) {
            marks.end(ProcessMarks.JOB_VAR, mark, END_GRACE);
            store.jobFinished(run.id(), JobRun.Result.INTERRUPTED, null, join(files.tail(run.id(), OUTPUT_TAIL),
                    "ended at agent start: a scheduled run of a previous agent is not waited for; its schedule runs it again"));
            files.delete(run.id());
            LOG.warn("job {} (run {}, scheduled) was left running by a previous agent; ended it", run.job(), run.id());
            return;
        }
        LOG.warn("job {} (run {}, {}) was left running by a previous agent; waiting for it to end", run.job(), run.id(),
                run.trigger());
        CompletableFuture<Outcome> outcome = new CompletableFuture<>();
        adopted.put(run.job(), new Adopted(run, outcome));
        Thread watcher = new Thread(() -> watch(run, mark, outcome), "voltis-job-adopted-" + run.id());
        watcher.setDaemon(true);
        watcher.start();
    }

    /** Waits for an adopted run's processes to go (or its timeout, counted from its start), then records it. */
    private void watch(JobRun run, String mark, CompletableFuture<Outcome> outcome) {
        try {
            Duration timeout = files.timeout(run.id()).orElse(io.voltis.model.JobSpec.DEFAULT_TIMEOUT);
            java.time.Instant deadline = run.startedAt().plus(timeout);
            while (!marks.find(ProcessMarks.JOB_VAR, mark).isEmpty()) {
                if (!clock.instant().isBefore(deadline)) {
                    marks.end(ProcessMarks.JOB_VAR, mark, Duration.ZERO);
                    String out = join(files.tail(run.id(), OUTPUT_TAIL), "killed after the timeout of "
                            + io.voltis.model.Durations.format(timeout));
                    outcome.complete(record(run, new Outcome(JobRun.Result.TIMED_OUT, null, out)));
                    return;
                }
                Thread.sleep(ADOPTED_POLL.toMillis());
            }
            OptionalInt exit = files.exitCode(run.id());
            String why = endedBecause.remove(run.id());
            if (why != null) {
                outcome.complete(record(run, new Outcome(JobRun.Result.INTERRUPTED, exit.isPresent() ? exit.getAsInt() : null,
                        join(files.tail(run.id(), OUTPUT_TAIL), "ended: " + why))));
            } else if (exit.isPresent()) {
                outcome.complete(finishLeftover(run, exit.getAsInt(), "ran on after the previous agent stopped"));
            } else {
                outcome.complete(record(run, new Outcome(JobRun.Result.INTERRUPTED, null,
                        join(files.tail(run.id(), OUTPUT_TAIL), "ended without an exit code (killed)"))));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            outcome.complete(new Outcome(JobRun.Result.INTERRUPTED, null, INTERRUPTED));
        } catch (RuntimeException e) {
            LOG.warn("cannot record job run {}: {}", run.id(), e.getMessage());
            outcome.complete(new Outcome(JobRun.Result.INTERRUPTED, null, e.getMessage()));
        }
    }

    private Outcome finishLeftover(JobRun run, int exit, String how) {
        Outcome outcome = record(run, new Outcome(exit == 0 ? JobRun.Result.SUCCEEDED : JobRun.Result.FAILED, exit,
                join(files.tail(run.id(), OUTPUT_TAIL), how)));
        LOG.warn("job {} (run {}) {}: {}, exit {}", run.job(), run.id(), how, outcome.result(), exit);
        return outcome;
    }

    private Outcome record(JobRun run, Outcome outcome) {
        store.jobFinished(run.id(), outcome.result(), outcome.exitCode(), outcome.output());
        files.delete(run.id());
        lastRuns.put(run.job(), new JobRun(run.id(), run.job(), run.revision(), run.trigger(), run.startedAt(),
                clock.instant(), outcome.result(), outcome.exitCode(), null));
        return outcome;
    }

    private static String join(String output, String note) {
        return (output.isEmpty() || output.endsWith("\n") ? output : output + "\n") + "[voltis] " + note;
    }

    private Outcome run(JobRequest request, long id) {
        List<String> command = new ArrayList<>(List.of("setsid", "--wait"));
        command.addAll(files.wrapper(id));
        command.addAll(request.argv());
        try {
            files.prepare(id, request.timeout());
        } catch (IOException e) {
            return new Outcome(JobRun.Result.FAILED, null, "cannot create the run's files: " + e.getMessage());
        }
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(request.workingDir().toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(files.log(id).toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().clear();
        builder.environment().putAll(baseEnv);
        builder.environment().putAll(request.env());
        builder.environment().put(ProcessMarks.JOB_VAR, marks.job(id));
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            return new Outcome(JobRun.Result.FAILED, null, "cannot start " + request.argv().get(0) + ": " + e.getMessage());
        }
        try {
            if (!process.waitFor(request.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                kill(process, id);
                return new Outcome(JobRun.Result.TIMED_OUT, null, files.tail(id, OUTPUT_TAIL)
                        + "\n[voltis] killed after the timeout of " + io.voltis.model.Durations.format(request.timeout()));
            }
            int exit = process.exitValue();
            return new Outcome(exit == 0 ? JobRun.Result.SUCCEEDED : JobRun.Result.FAILED, exit, files.tail(id, OUTPUT_TAIL));
        } catch (InterruptedException e) {
            kill(process, id);
            Thread.currentThread().interrupt();
            return new Outcome(JobRun.Result.INTERRUPTED, null, files.tail(id, OUTPUT_TAIL));
        }
    }

    /** SIGKILL to the job's whole process group (setsid made the wrapper its leader) and to what left it. */
    private void kill(Process process, long id) {
        ProcessGroup.ledBy(process.pid()).signal("KILL");
        process.destroyForcibly();
        marks.end(ProcessMarks.JOB_VAR, marks.job(id), Duration.ZERO);
    }

    @Override
    public void close() {
        workers.shutdownNow();
    }
}
