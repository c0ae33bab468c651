package io.voltis.sync;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * When to poll next, so that a fleet does not hit its Git server in lockstep: each device
 * starts at its own phase within the interval (from a hash of its hostname), every interval
 * is stretched or shrunk by a few percent at random, and failures back off exponentially up
 * to a cap, resetting on the first success.
 */
public final class PollSchedule {

    /** NOTE: documented in docs/sync.md. */
    public static final double JITTER = 0.05;
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofMinutes(5);

    private final Duration interval;
    private final Duration maxBackoff;
    private final long phaseMillis;
    private final RandomGenerator random;
    private int failures;

    public PollSchedule(Duration interval, Duration maxBackoff, String hostname, RandomGenerator random) {
        if (interval.isZero() || interval.isNegative()) {
            throw new IllegalArgumentException("poll interval must be longer than 0s");
        }
        this.interval = interval;
        this.maxBackoff = maxBackoff.compareTo(interval) < 0 ? interval : maxBackoff;
        this.phaseMillis = Math.floorMod(mix(hostname.hashCode()), interval.toMillis());
        this.random = random;
    }

    /** The delay before the first poll: this device's phase within one interval. */
    public Duration firstDelay() {
        return Duration.ofMillis(phaseMillis);
    }

    /** The delay after a poll that succeeded ({@code ok}) or failed. */
    public Duration next(boolean ok) {
        failures = ok ? 0 : Math.min(failures + 1, 30);
        long base = failures == 0 ? interval.toMillis()
                : Doubling.delay(interval.multipliedBy(2), maxBackoff, failures).toMillis();
        double factor = 1 + JITTER * (2 * random.nextDouble() - 1);
        return Duration.ofMillis(Math.max(1, Math.round(base * factor)));
    }

    /** How many polls in a row have failed. */
    public int failures() {
        return failures;
    }

    /** Spreads hostnames that differ in one character over the whole interval (murmur3 finalizer). */
    private static int mix(int h) {
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }
}
