package io.voltis.agent.scheduler;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.quartz.SchedulerConfigException;
import org.quartz.spi.ThreadPool;

/**
 * Quartz's worker threads without a clock of their own. Quartz's {@code SimpleThreadPool} keeps
 * its workers alive and each one wakes every 500 ms to look for work: three workers are six
 * wake-ups a second on a device where nothing happens (measured: 360 of the idle JVM's ~600
 * wake-ups a minute). Here a worker waits on a queue until Quartz hands it a job and leaves
 * after a minute without one, so an idle agent's scheduler threads sleep between
 * its ticks and polls (docs/decisions/0041-quiet-idle.md).
 *
 * <p>The contract Quartz relies on is kept: at most {@code threadCount} jobs run at once,
 * {@link #blockForAvailableThreads()} returns only when one can start (or the pool is shut
 * down), and {@link #shutdown(boolean) shutdown(true)} waits for the jobs in flight.
 */
public final class QuietThreadPool implements ThreadPool {

    /** How long a worker with nothing to do stays, in seconds; longer than the default reconcile tick. */
    static final long KEEP_ALIVE = 60;

    private int threadCount = 3;
    private String threadNamePrefix = "voltis-scheduler";
    private Semaphore free;
    private ThreadPoolExecutor executor;
    private volatile boolean shutdown;

    /** Set by Quartz from {@code org.quartz.threadPool.threadCount}. */
    public void setThreadCount(int threadCount) {
        this.threadCount = threadCount;
    }

    /** Set by Quartz from {@code org.quartz.threadPool.threadNamePrefix}. */
    public void setThreadNamePrefix(String threadNamePrefix) {
        this.threadNamePrefix = threadNamePrefix;
    }

    @Override
    public void initialize() throws SchedulerConfigException {
        if (threadCount < 1) {
            throw new SchedulerConfigException("threadCount must be at least 1, not " + threadCount);
        }
        free = new Semaphore(threadCount);
        AtomicInteger number = new AtomicInteger();
        // the semaphore keeps the queue empty but for the moment between a job's end and its
        // worker's return to the queue; the queue only keeps a hand-off in that moment from failing
        executor = new ThreadPoolExecutor(threadCount, threadCount, KEEP_ALIVE, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, threadNamePrefix + "-" + number.incrementAndGet());
                    t.setDaemon(false);
                    return t;
                });
        executor.allowCoreThreadTimeOut(true);
    }

    @Override
    public boolean runInThread(Runnable runnable) {
        if (runnable == null || shutdown || !free.tryAcquire()) {
            return false;
        }
        try {
            executor.execute(() -> {
                try {
                    runnable.run();
                } finally {
                    free.release();
                }
            });
            return true;
        } catch (RejectedExecutionException e) {
            free.release();
            return false;
        }
    }

    /**
     * Blocks until a worker is free and returns how many are. Quartz's scheduler thread calls
     * this before it takes triggers; it waits on the pool, not on a timer, except while every
     * worker is busy, when it looks once a second whether the pool is shutting down.
     */
    @Override
    public int blockForAvailableThreads() {
        // an interrupt does not end the wait (as with Quartz's own pool: its caller would call
        // again at once and spin); it is kept for the caller
        boolean interrupted = false;
        try {
            while (!shutdown) {
                try {
                    if (free.tryAcquire(1, TimeUnit.SECONDS)) {
                        free.release();
                        return Math.max(1, free.availablePermits());
                    }
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            return free.availablePermits();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void shutdown(boolean waitForJobsToComplete) {
        shutdown = true;
        if (executor == null) {
            return;
        }
        executor.shutdown();
        if (waitForJobsToComplete) {
            try {
                while (!executor.awaitTermination(1, TimeUnit.MINUTES)) {
                    // a long job (an apply) is still running: shutdown(true) waits for it
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public int getPoolSize() {
        return threadCount;
    }

    @Override
    public void setInstanceId(String schedInstId) {
        // the workers' names come from the prefix
    }

    @Override
    public void setInstanceName(String schedName) {
        // the workers' names come from the prefix
    }
}
