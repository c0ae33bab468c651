package io.voltis.agent.packages.artifact;

import java.time.Duration;

/** Waits between download attempts; tests pass one that records the waits instead of sleeping. */
@FunctionalInterface
public interface Sleeper {

    void sleep(Duration duration) throws InterruptedException;

    /** {@link Thread#sleep}: interruptible, so agent shutdown cuts a backoff short. */
    static Sleeper threadSleep() {
        return duration -> Thread.sleep(duration.toMillis());
    }
}
