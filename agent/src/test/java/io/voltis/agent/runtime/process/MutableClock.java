package io.voltis.agent.runtime.process;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/** A clock that tests set and advance, or that moves on by a step each time it is read. */
final class MutableClock extends Clock {

    private final AtomicReference<Instant> now;
    private final AtomicReference<Duration> tick = new AtomicReference<>(Duration.ZERO);

    MutableClock(Instant start) {
        now = new AtomicReference<>(start);
    }

    void set(Instant instant) {
        now.set(instant);
    }

    /** From now on every reading is {@code step} later than the one before. */
    void tickEachRead(Duration step) {
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
        throw new UnsupportedOperationException();
    }
}
