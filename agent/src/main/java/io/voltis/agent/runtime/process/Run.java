package io.voltis.agent.runtime.process;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * One started process of a service: the group leader, its process group, the thread copying
 * its output, and when it started. Stopping is in three steps so that many runs can share one
 * grace period: {@link #terminate()}, {@link #awaitExit}, then {@link #kill()} for what is left.
 */
final class Run {

    /** How long to wait for a SIGKILLed group before giving up on it (a process stuck in the kernel). */
    static final Duration KILL_WAIT = Duration.ofSeconds(5);
    /** How long a stop waits for the last output to reach the log. */
    private static final Duration DRAIN_WAIT = Duration.ofSeconds(2);

    private final String service;
    private final Process process;
    private final ProcessGroup group;
    private final Thread pump;
    private final Instant startedAt;

    Run(String service, Process process, ProcessGroup group, Thread pump, Instant startedAt) {
        this.service = service;
        this.process = process;
        this.group = group;
        this.pump = pump;
        this.startedAt = startedAt;
    }

    String service() {
        return service;
    }

    Process process() {
        return process;
    }

    long pid() {
        return process.pid();
    }

    Instant startedAt() {
        return startedAt;
    }

    /** SIGTERM to the whole group. */
    void terminate() {
        group.signal("TERM");
    }

    /** Waits until the leader has exited and no process of the group is left, at most until {@code deadline}. */
    boolean awaitExit(long deadlineNanos) throws InterruptedException {
        long left = deadlineNanos - System.nanoTime();
        if (left > 0 && !process.waitFor(left, TimeUnit.NANOSECONDS)) {
            return false;
        }
        while (group.alive()) {
            if (System.nanoTime() - deadlineNanos >= 0) {
                return false;
            }
            Thread.sleep(50); // a process group has no exit notification: poll /proc
        }
        return !process.isAlive();
    }

    /** SIGKILL to whatever is left of the group, and waits briefly for it to go. */
    void kill() throws InterruptedException {
        group.signal("KILL");
        process.waitFor(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Kills what the leader left behind when it exited on its own (its background children). */
    void reapLeftovers() {
        group.signal("KILL");
    }

    /** The leader's exit code (128 + signal when killed), or null while it runs. */
    Integer exitCode() {
        return process.isAlive() ? null : process.exitValue();
    }

    /** Lets the pump write the last output, without waiting long for a process that escaped the group. */
    void drain() throws InterruptedException {
        pump.join(DRAIN_WAIT.toMillis());
    }
}
