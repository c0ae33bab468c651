package io.voltis.sync;

import java.time.Duration;

/**
 * The one backoff rule of the agent: {@code first} after the first failure in a row, doubling
 * with each further one, never more than {@code max}. Polls (from twice the interval, up to 5
 * min), apply retries (by their reason's kind) and the restarts of crashed services all wait by it.
 */
public final class Doubling {

    private Doubling() {
    }

    /** The wait after the {@code failures}-th failure in a row (1 for the first; less counts as 1). */
    public static Duration delay(Duration first, Duration max, int failures) {
        int doublings = Math.max(0, Math.min(failures - 1, 62));
        long ms = first.toMillis();
        long cap = max.toMillis();
        for (int i = 0; i < doublings && ms < cap; i++) {
            ms *= 2;
        }
        return Duration.ofMillis(Math.min(ms, cap));
    }
}
