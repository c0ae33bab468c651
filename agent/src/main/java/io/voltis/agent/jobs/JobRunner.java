package io.voltis.agent.jobs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.voltis.agent.runtime.process.ProcessGroup;
import io.voltis.sync.store.JobRun;
import io.voltis.sync.store.RevisionStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs jobs on a fixed number of workers; the rest wait in a queue, so a burst of cron jobs
 * cannot starve the device. Each run is recorded before it starts (so a crash cannot make a
 * {@code once} job run twice) and finished with its result, exit code and the last 64 KiB of
 * its output. A run past its timeout is killed with its whole process group.
 */
public final class JobRunner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);
    static final int OUTPUT_TAIL = 64 * 1024;

    /** How a run ended. */
    public record Outcome(JobRun.Result result, Integer exitCode, String output) {
        public boolean ok() {
            return result == JobRun.Result.SUCCEEDED;
        }
    }

    private final RevisionStore store;
    private final ExecutorService workers;
    private final Map<String, String> baseEnv;
    private final java.time.Clock clock;
    /** The last run of each job, kept here so status never queries the store on a quiet tick. */
    private final Map<String, JobRun> lastRuns = new java.util.concurrent.ConcurrentHashMap<>();

    public JobRunner(RevisionStore store, int workers, Map<String, String> baseEnv, java.time.Clock clock) {
        this.store = store;
        this.clock = clock;
        this.baseEnv = Map.copyOf(baseEnv);
        AtomicInteger n = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(workers, workers, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                r -> {
                    Thread t = new Thread(r, "voltis-job-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        for (JobRun run : store.jobRuns(null, 500)) {
            lastRuns.putIfAbsent(run.job(), run);
        }
    }

    /** The last run of {@code job} on this device (its start and result), or null. */
    public JobRun lastRun(String job) {
        return lastRuns.get(job);
    }

    /** Queues a run; the future completes when it ends. */
    public CompletableFuture<Outcome> submit(JobRequest request) {
        long id = store.jobStarted(request.name(), request.revision(), request.trigger());
        java.time.Instant started = clock.instant();
        lastRuns.put(request.name(), new JobRun(id, request.name(), request.revision(), request.trigger(), started, null,
                JobRun.Result.RUNNING, null, null));
        return CompletableFuture.supplyAsync(() -> {
            Outcome outcome = run(request);
            store.jobFinished(id, outcome.result(), outcome.exitCode(), outcome.output());
            lastRuns.put(request.name(), new JobRun(id, request.name(), request.revision(), request.trigger(), started,
                    clock.instant(), outcome.result(), outcome.exitCode(), null));
            if (!outcome.ok()) {
                LOG.warn("job {} {}: exit {}", request.name(), outcome.result(), outcome.exitCode());
            }
            return outcome;
        }, workers);
    }

    /** Whether a {@code once} job has any recorded run on this device. */
    public boolean ranOnce(String name) {
        return ranOnce(store, name);
    }

    /** Whether a 'once' job {@code name} has a recorded run in {@code store} (then it never runs again). */
    public static boolean ranOnce(RevisionStore store, String name) {
        return store.jobRuns(name, 50).stream().anyMatch(r -> "once".equals(r.trigger()));
    }

    private Outcome run(JobRequest request) {
        List<String> command = new ArrayList<>(List.of("setsid", "--wait"));
        command.addAll(request.argv());
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(request.workingDir().toFile())
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().clear();
        builder.environment().putAll(baseEnv);
        builder.environment().putAll(request.env());
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            return new Outcome(JobRun.Result.FAILED, null, "cannot start " + request.argv().get(0) + ": " + e.getMessage());
        }
        Tail tail = new Tail(process.getInputStream());
        Thread reader = new Thread(tail, "voltis-job-" + request.name() + "-output");
        reader.setDaemon(true);
        reader.start();
        try {
            if (!process.waitFor(request.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                killGroup(process);
                reader.join(2000);
                return new Outcome(JobRun.Result.TIMED_OUT, null,
                        tail.text() + "\n[voltis] killed after the timeout of " + io.voltis.model.Durations.format(request.timeout()));
            }
            reader.join(2000);
            int exit = process.exitValue();
            return new Outcome(exit == 0 ? JobRun.Result.SUCCEEDED : JobRun.Result.FAILED, exit, tail.text());
        } catch (InterruptedException e) {
            killGroup(process);
            Thread.currentThread().interrupt();
            return new Outcome(JobRun.Result.INTERRUPTED, null, tail.text());
        }
    }

    /** SIGKILL to the job's whole process group (setsid made the job its leader). */
    private static void killGroup(Process process) {
        ProcessGroup.ledBy(process.pid()).signal("KILL");
        process.destroyForcibly();
    }

    /** Keeps the last {@link #OUTPUT_TAIL} bytes of a stream. */
    private static final class Tail implements Runnable {
        private final InputStream in;
        private final byte[] ring = new byte[OUTPUT_TAIL];
        private long total;

        Tail(InputStream in) {
            this.in = in;
        }

        @Override
        public void run() {
            byte[] buf = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    synchronized (this) {
                        for (int i = 0; i < n; i++) {
                            ring[(int) (total++ % OUTPUT_TAIL)] = buf[i];
                        }
                    }
                }
            } catch (IOException e) {
                // the process is gone; keep what we have
            }
        }

        synchronized String text() {
            int size = (int) Math.min(total, OUTPUT_TAIL);
            byte[] out = new byte[size];
            for (int i = 0; i < size; i++) {
                out[i] = ring[(int) ((total - size + i) % OUTPUT_TAIL)];
            }
            return new String(out, StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() {
        workers.shutdownNow();
    }
}
