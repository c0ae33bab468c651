package io.voltis.model;

import java.time.Duration;
import java.util.List;

/**
 * How a service's health is probed: exactly one of an HTTP URL, a TCP {@code host:port}, or a
 * command, every {@code interval}, each probe bounded by {@code timeout}. {@code failures} is how
 * many probes in a row must fail before the service is unhealthy; one success makes it healthy.
 */
public record HealthCheck(
        String http,
        String tcp,
        List<String> exec,
        Duration interval,
        Duration timeout,
        Integer failures) {

    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    public static final int DEFAULT_FAILURES = 3;
    /** NOTE: the validator and docs/schema/workload.schema.json keep {@code failures} within 1 to this. */
    public static final int MAX_FAILURES = 100;

    public HealthCheck {
        exec = exec == null ? null : List.copyOf(exec);
        interval = interval == null ? DEFAULT_INTERVAL : interval;
        timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
        failures = failures == null ? DEFAULT_FAILURES : failures;
    }
}
