package io.voltis.agent.packages.artifact;

import java.time.Duration;

/**
 * How artifacts are fetched. {@code connectTimeout} bounds opening the connection,
 * {@code responseTimeout} waiting for the response headers, {@code downloadTimeout} the whole
 * transfer. A failed attempt that may succeed later (HTTP 5xx, 408, 429, a refused, reset or
 * timed-out connection) is tried again up to {@code attempts} times in all, waiting
 * {@code firstRetryDelay} and then twice as long before each next attempt.
 */
public record ArtifactOptions(Duration connectTimeout, Duration responseTimeout, Duration downloadTimeout,
                              int attempts, Duration firstRetryDelay) {

    public ArtifactOptions {
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be at least 1, not " + attempts);
        }
        for (Duration d : new Duration[] {connectTimeout, responseTimeout, downloadTimeout}) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("timeouts must be longer than 0s, not " + d);
            }
        }
        if (firstRetryDelay.isNegative()) {
            throw new IllegalArgumentException("firstRetryDelay must not be negative, not " + firstRetryDelay);
        }
    }

    /** 10s to connect, 30s to the first byte, 10 minutes in all; 3 attempts, waiting 1s then 2s. */
    public static ArtifactOptions defaults() {
        return new ArtifactOptions(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(10), 3,
                Duration.ofSeconds(1));
    }

    /** The wait before attempt {@code next} (2 for the first retry): firstRetryDelay doubled each time. */
    Duration delayBefore(int next) {
        return firstRetryDelay.multipliedBy(1L << Math.min(next - 2, 20));
    }
}
