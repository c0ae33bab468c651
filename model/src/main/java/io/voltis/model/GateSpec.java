package io.voltis.model;

import java.time.Duration;
import java.util.List;

/**
 * A workload's health gate ({@code gate:}; DESIGN.md, "Health gate and automatic rollback"):
 * after an apply, every service must be running (and healthy, where it has a check) and every
 * check pass, continuously for {@code window}; then the revision is verified. {@code window}
 * 0s turns the gate off. {@code checks} are probes of the same kinds as a service's health
 * ({@link HealthCheck}: http, tcp or exec, with interval, timeout and failures). {@code attempts}
 * is how many agent crashes or reboots inside the window count as a failure.
 */
public record GateSpec(Duration window, List<HealthCheck> checks, OnFailure onFailure, Integer attempts) {

    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(1);
    public static final int DEFAULT_ATTEMPTS = 3;
    /** NOTE: the validator and docs/schema/workload.schema.json keep {@code attempts} within 1 to this. */
    public static final int MAX_ATTEMPTS = 100;
    /** NOTE: the validator and the schema keep {@code window} at most this. */
    public static final Duration MAX_WINDOW = Duration.ofHours(24);
    /** What a workload without {@code gate:} gets. */
    public static final GateSpec DEFAULT = new GateSpec(null, null, null, null);

    public GateSpec {
        window = window == null ? DEFAULT_WINDOW : window;
        checks = checks == null ? List.of() : List.copyOf(checks);
        onFailure = onFailure == null ? OnFailure.ROLLBACK : onFailure;
        attempts = attempts == null ? DEFAULT_ATTEMPTS : attempts;
    }

    /** Whether the gate runs at all ({@code window: 0s} turns it off). */
    public boolean on() {
        return !window.isZero();
    }

    /** What a failed gate does. */
    public enum OnFailure implements Keyword {
        /** Apply the last verified revision again and quarantine the failed one. */
        ROLLBACK("rollback"),
        /** Keep the failed revision and report. */
        HOLD("hold");

        private final String keyword;

        OnFailure(String keyword) {
            this.keyword = keyword;
        }

        @Override
        public String keyword() {
            return keyword;
        }
    }
}
