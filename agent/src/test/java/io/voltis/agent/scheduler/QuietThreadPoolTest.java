package io.voltis.agent.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import io.voltis.agent.jobs.JobRunner;
import io.voltis.sync.store.RevisionStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scheduler's worker threads: real Quartz, real threads; their wake-ups are read from the
 * kernel ({@code /proc/self/task/<tid>/status}), which counts every time a thread went to sleep.
 */
class QuietThreadPoolTest {

    @TempDir
    Path tmp;

    @Test
    void anIdleScheduler_sWorkersDoNotWake_betweenItsJobs() throws Exception {
        AtomicInteger ticks = new AtomicInteger();
        try (RevisionStore store = RevisionStore.openOwner(tmp.resolve("state"), Clock.systemUTC());
             JobRunner runner = new JobRunner(store, 1, Map.of("PATH", System.getenv("PATH")), Clock.systemUTC(),
                     tmp.resolve("state/jobs"), io.voltis.agent.runtime.process.ProcessMarks.forStateDir(tmp.resolve("state")));
             AgentScheduler scheduler = new AgentScheduler(hinted -> true, ok -> Duration.ofHours(1), ticks::incrementAndGet,
                     runner, Clock.systemUTC())) {
            // a tick now and then every 20 s; a poll in an hour: nothing runs in the window below
            scheduler.start(Duration.ofHours(1), Duration.ofSeconds(20));
            await().atMost(Duration.ofSeconds(10)).until(() -> ticks.get() >= 1);
            Thread.sleep(300); // the first tick's worker is back waiting

            long before = workerSwitches();
            Thread.sleep(4_000);
            long after = workerSwitches();

            assertThat(ticks.get()).isEqualTo(1);
            // Quartz's SimpleThreadPool: three workers waking every 500 ms, 24 in 4 s
            assertThat(after - before).as("context switches of the idle workers in 4 s").isLessThanOrEqualTo(2);
        }
    }

    @Test
    void runsAtMostThreadCountJobsAtOnce_andBlocksUntilOneIsFree() throws Exception {
        QuietThreadPool pool = new QuietThreadPool();
        pool.setThreadCount(2);
        pool.setThreadNamePrefix("pool-test");
        pool.initialize();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(2);
        Runnable holding = () -> {
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        try {
            assertThat(pool.blockForAvailableThreads()).isEqualTo(2);
            assertThat(pool.runInThread(holding)).isTrue();
            assertThat(pool.runInThread(holding)).isTrue();
            assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(pool.runInThread(() -> { })).as("a third job while two run").isFalse();

            AtomicBoolean unblocked = new AtomicBoolean();
            AtomicBoolean keptInterrupt = new AtomicBoolean();
            Thread waiter = new Thread(() -> {
                pool.blockForAvailableThreads();
                keptInterrupt.set(Thread.currentThread().isInterrupted());
                unblocked.set(true);
            });
            waiter.start();
            Thread.sleep(300);
            assertThat(unblocked).as("blocked while both workers are busy").isFalse();
            waiter.interrupt();
            Thread.sleep(300);
            assertThat(unblocked).as("an interrupt does not end the wait").isFalse();

            release.countDown();
            waiter.join(5_000);
            assertThat(unblocked).isTrue();
            assertThat(keptInterrupt).as("the interrupt is kept for the caller").isTrue();
            CountDownLatch ran = new CountDownLatch(1);
            assertThat(pool.runInThread(ran::countDown)).isTrue();
            assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
        } finally {
            release.countDown();
            pool.shutdown(true);
        }
    }

    @Test
    void shutdownWaitsForTheJobInFlight_andRefusesNewOnes() throws Exception {
        QuietThreadPool pool = new QuietThreadPool();
        pool.initialize();
        AtomicBoolean finished = new AtomicBoolean();
        CountDownLatch started = new CountDownLatch(1);
        assertThat(pool.runInThread(() -> {
            started.countDown();
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            finished.set(true);
        })).isTrue();
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();

        pool.shutdown(true);

        assertThat(finished).as("shutdown(true) returned after the job ended").isTrue();
        assertThat(pool.runInThread(() -> { })).isFalse();
        assertThat(pool.blockForAvailableThreads()).as("a shut-down pool does not block").isGreaterThanOrEqualTo(0);
    }

    /** Voluntary and involuntary context switches of this JVM's scheduler workers, from the kernel. */
    private static long workerSwitches() throws IOException {
        long sum = 0;
        int workers = 0;
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                String name;
                try {
                    name = Files.readString(task.resolve("comm")).strip();
                } catch (IOException gone) {
                    continue;
                }
                if (!name.startsWith("voltis-schedule")) {
                    continue;
                }
                workers++;
                for (String line : Files.readAllLines(task.resolve("status"))) {
                    if (line.contains("ctxt_switches")) {
                        sum += Long.parseLong(line.replaceAll("\\D", ""));
                    }
                }
            }
        }
        assertThat(workers).as("scheduler worker threads found").isPositive();
        return sum;
    }
}
