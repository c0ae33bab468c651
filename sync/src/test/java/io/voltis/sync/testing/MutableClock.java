package io.voltis.sync.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock tests set and advance by hand, or that moves on by a step each time it is read; safe
 * to read from several threads (a runtime's timer, the test).
 */
public final class MutableClock extends Clock {

    private final AtomicReference<Instant> now;
    private final AtomicReference<Duration> tick = new AtomicReference<>(Duration.ZERO);

    public MutableClock(Instant start) {
        this.now = new AtomicReference<>(start);
    }

    public Instant advance(Duration step) {
        return now.updateAndGet(i -> i.plus(step));
    }

    public void set(Instant instant) {
        now.set(instant);
    }

    /** From now on every reading is {@code step} later than the one before. */
    public void tickEachRead(Duration step) {
        tick.set(step);
    }

    @Override
    public Instant instant() {
        Duration step = tick.get();
        return now.getAndUpdate(i -> i.plus(step));
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("tests use UTC instants only");
    }
}
