package io.voltis.agent.runtime.process;

import java.time.Duration;

/**
 * How long a crashed service waits before its next start: {@code initial} after the first
 * failure, doubling with each further failure in a row up to {@code max}. A run that stayed up
 * for {@link #stableAfter()} ends the streak, so the next crash waits {@code initial} again.
 */
final class Backoff {

    /** NOTE: documented in docs/runtime-process.md. */
    static final Duration STABLE_CAP = Duration.ofSeconds(10);

    private final Duration initial;
    private final Duration max;

    Backoff(Duration initial, Duration max) {
        this.initial = initial;
        this.max = max;
    }

    /** The wait after the {@code failures}-th failure in a row (1 for the first). */
    Duration delay(int failures) {
        return io.voltis.sync.Doubling.delay(initial, max, failures);
    }

    /** How long a run must last to count as stable: 10 s, or {@code max} when that is shorter. */
    Duration stableAfter() {
        return max.compareTo(STABLE_CAP) < 0 ? max : STABLE_CAP;
    }
}
