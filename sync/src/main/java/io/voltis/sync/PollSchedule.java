package io.voltis.sync;

import java.time.Clock;
import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * When to poll next, so that a fleet does not hit its Git server in lockstep. Each device owns a
 * <em>phase</em> within the interval, from a hash of its hostname, and every poll is anchored to
 * one of its slots on the wall clock ({@code phase + k × interval}, counted from the epoch), with
 * a jitter of a few percent of the interval on top. Because the next poll is chosen from the slots
 * and not counted from the end of the last poll, a fleet that clumped (the server was down, a
 * backlog, a hint, a power cut) is spread again by its next round: each device returns to its own
 * slot within one interval. Failures back off exponentially up to a cap, resetting on the first
 * success, and the backed-off poll also lands on a slot.
 */
public final class PollSchedule {

    /** NOTE: documented in docs/sync.md. The jitter around a slot, as a share of the interval. */
    public static final double JITTER = 0.05;
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofMinutes(5);

    private final long interval;
    private final Duration maxBackoff;
    private final long phaseMillis;
    private final RandomGenerator random;
    private final Clock clock;
    private int failures;

    public PollSchedule(Duration interval, Duration maxBackoff, String hostname, RandomGenerator random, Clock clock) {
        if (interval.isZero() || interval.isNegative()) {
            throw new IllegalArgumentException("poll interval must be longer than 0s");
        }
        this.interval = interval.toMillis();
        this.maxBackoff = maxBackoff.compareTo(interval) < 0 ? interval : maxBackoff;
        this.phaseMillis = spread(hostname, interval.toMillis());
        this.random = random;
        this.clock = clock;
    }

    /** This device's phase: where its slots fall within each interval counted from the epoch. */
    public Duration phase() {
        return Duration.ofMillis(phaseMillis);
    }

    /** The delay before the first poll: to this device's next slot, within one interval. */
    public Duration firstDelay() {
        long now = clock.millis();
        return Duration.ofMillis(slotAtOrAfter(now) - now);
    }

    /**
     * The delay after a poll that succeeded ({@code ok}) or failed: to the first of this device's
     * slots at least the wait minus half an interval away (the wait: the interval after a success,
     * the backoff after a failure), so the delay is the wait ± half an interval, and a poll made off
     * its slot (by a hint, or a clumped start) returns to it. Then the jitter.
     */
    public Duration next(boolean ok) {
        failures = ok ? 0 : Math.min(failures + 1, 30);
        long wait = failures == 0 ? interval
                : Doubling.delay(Duration.ofMillis(interval).multipliedBy(2), maxBackoff, failures).toMillis();
        long now = clock.millis();
        long slot = slotAtOrAfter(now + wait - interval / 2);
        long jitter = Math.round(interval * JITTER * (2 * random.nextDouble() - 1));
        return Duration.ofMillis(Math.max(1, slot + jitter - now));
    }

    /** How many polls in a row have failed. */
    public int failures() {
        return failures;
    }

    /**
     * A stable delay for this host within {@code spread} (zero when the spread is zero): how long
     * it waits after a check-now hint, so a hint to the whole fleet does not become one burst.
     */
    public static Duration hintDelay(String hostname, Duration spread) {
        long ms = spread.toMillis();
        return ms <= 0 ? Duration.ZERO : Duration.ofMillis(spread("hint:" + hostname, ms));
    }

    private long slotAtOrAfter(long t) {
        long k = Math.floorDiv(t - phaseMillis + interval - 1, interval);
        return phaseMillis + k * interval;
    }

    private static long spread(String key, long range) {
        return Math.floorMod(mix(key.hashCode()), range);
    }

    /** Spreads hostnames that differ in one character over the whole range (murmur3 finalizer). */
    private static int mix(int h) {
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }
}
