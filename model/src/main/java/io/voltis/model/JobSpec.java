package io.voltis.model;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A command run once per applied revision, once ever, or on a Quartz cron {@code schedule};
 * exactly one of {@code when} and {@code schedule} is given.
 */
public record JobSpec(
        @Required String name,
        @Required List<String> run,
        JobTrigger when,
        String schedule,
        Duration timeout,
        Map<String, String> env) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);

    public JobSpec {
        run = List.copyOf(run);
        timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
        env = env == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(env));
    }

    /** Whether this job runs on a cron schedule rather than on applies. */
    public boolean isScheduled() {
        return schedule != null;
    }
}
