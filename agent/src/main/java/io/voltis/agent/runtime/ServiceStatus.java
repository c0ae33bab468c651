package io.voltis.agent.runtime;

import java.time.Instant;
import java.util.List;

/**
 * What a runtime observes of one service. {@code healthy} is null while no health check has
 * answered (or none is declared). {@code lastExitCode} and {@code lastLogLines} say why a
 * service is not running (the last lines of its log, at most 10).
 */
public record ServiceStatus(String name, String desired, Actual actual, Boolean healthy, int restarts, Instant since,
                            Integer lastExitCode, List<String> lastLogLines, String message) {

    public ServiceStatus {
        lastLogLines = lastLogLines == null ? List.of() : List.copyOf(lastLogLines);
    }

    /** NOTE: the lower-case names are what status shows. */
    public enum Actual {
        /** Running (and healthy, or without a check yet). */
        RUNNING,
        /** Stopped as desired. */
        STOPPED,
        /** Exited and waiting for its next restart (backoff). */
        BACKOFF,
        /** Exited and will not be restarted (policy), or could not be started at all. */
        FAILED;

        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * A crash loop, a failed start or a failing health check: what makes the phase Degraded. A
     * service that exited 0 and is not restarted by its policy finished its work: not degraded.
     */
    public boolean degraded() {
        boolean finished = actual == Actual.STOPPED && Integer.valueOf(0).equals(lastExitCode);
        return ("running".equals(desired) && actual != Actual.RUNNING && !finished) || Boolean.FALSE.equals(healthy);
    }
}
