package io.voltis.agent.api;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A feed's timer that runs only while someone follows: an idle agent's API wakes no thread (the
 * event and log feeds would otherwise poll three times a second for nobody).
 */
final class WhileFollowed {

    private final ScheduledExecutorService timer;
    private final Runnable task;
    private final long periodMillis;
    private final BooleanSupplier followed;
    private ScheduledFuture<?> running;

    /** {@code task} every {@code periodMillis} while {@code followed} says someone follows. */
    WhileFollowed(ScheduledExecutorService timer, Runnable task, long periodMillis, BooleanSupplier followed) {
        this.timer = timer;
        this.task = task;
        this.periodMillis = periodMillis;
        this.followed = followed;
    }

    /** After a follower came or went: starts or stops the timer. */
    synchronized void changed() {
        boolean anyone = followed.getAsBoolean();
        if (anyone && running == null) {
            running = timer.scheduleWithFixedDelay(task, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
        } else if (!anyone && running != null) {
            running.cancel(false);
            running = null;
        }
    }
}
