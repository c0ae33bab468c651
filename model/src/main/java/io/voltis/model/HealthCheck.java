package io.voltis.model;

import java.time.Duration;
import java.util.List;

/** How a service's health is probed: exactly one of an HTTP URL, a TCP {@code host:port}, or a command. */
public record HealthCheck(
        String http,
        String tcp,
        List<String> exec,
        Duration interval,
        Duration timeout) {

    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

    public HealthCheck {
        exec = exec == null ? null : List.copyOf(exec);
        interval = interval == null ? DEFAULT_INTERVAL : interval;
        timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
    }
}
