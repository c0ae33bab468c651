package io.voltis.sync.store;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Every kind of event the agent records, the one list of their names: the store, the log line
 * ({@link EventLog}), the API ({@code type} in docs/api/openapi.yaml, checked by a test) and
 * the docs use these words. A warning reports something going wrong (its log line is WARN).
 */
public enum EventType {
    REVISION_SEEN("RevisionSeen", false, null),
    REVISION_INVALID("RevisionInvalid", true, "InvalidWorkload"),
    APPLY_STARTED("ApplyStarted", false, null),
    APPLIED("Applied", false, null),
    APPLY_FAILED("ApplyFailed", true, null),
    STEP_INTERRUPTED("StepInterrupted", true, null),
    REVISION_QUARANTINED("RevisionQuarantined", true, null),
    CRON_JOB_REFUSED("CronJobRefused", true, null),
    DRIFT_CORRECTED("DriftCorrected", false, null),
    PHASE_CHANGED("PhaseChanged", false, null),
    SERVICE_DEGRADED("ServiceDegraded", true, null),
    SERVICE_RECOVERED("ServiceRecovered", false, null),
    SOURCE_FAILED("SourceFailed", true, null),
    SOURCE_RECOVERED("SourceRecovered", false, null),
    HISTORY_REWRITTEN("HistoryRewritten", true, null),
    ARCHIVE_FAILED("ArchiveFailed", true, null),
    RESTORE_FAILED("RestoreFailed", true, null),
    STORE_RECOVERED("StoreRecovered", false, null),
    STATE_LOST("StateLost", true, null),
    STORE_REBUILT("StoreRebuilt", true, null),
    PINNED("Pinned", false, null),
    UNPINNED("Unpinned", false, null),
    ROLLED_BACK("RolledBack", false, null),
    /** verify: enforce refused a revision (its signature, or a head that does not descend from the applied one). */
    REVISION_REFUSED("RevisionRefused", true, null),
    /** verify: warn applies a revision that did not verify. */
    REVISION_UNVERIFIED("RevisionUnverified", true, null),
    /** An applied revision went on probation: its health gate's window started. */
    GATE_STARTED("GateStarted", false, null),
    /** The revision stayed healthy for its window: verified good. */
    GATE_PASSED("GatePassed", false, null),
    /** The revision failed its health gate (which service or check, and the evidence). */
    GATE_FAILED("GateFailed", true, "GateFailed"),
    /** A revision that failed its gate is kept (onFailure: hold, a cli pin, a rollback target, nothing verified). */
    HELD("Held", true, "GateFailed"),
    /** voltis-agent retry: a quarantined revision may be applied again. */
    RETRIED("Retried", false, null),
    /** A job run failed (any trigger): its name, result, exit code and last output line. */
    JOB_FAILED("JobFailed", true, "JobFailed"),
    /** A job whose last run failed ran successfully. */
    JOB_RECOVERED("JobRecovered", false, null),
    /** Notices a target could not take were dropped from the outbox, past its max-age or max-queue. */
    NOTIFICATIONS_DROPPED("NotificationsDropped", true, "NotificationsDropped"),
    /** The head's rollout plan keeps this device where it is: its wave starts later, a pause, or no wave selects it. */
    ROLLOUT_WAITING("RolloutWaiting", false, null);


    private final String word;
    private final boolean warning;
    private final String reason;

    EventType(String word, boolean warning, String reason) {
        this.word = word;
        this.warning = warning;
        this.reason = reason;
    }

    /** The name stored, logged and served. */
    public String word() {
        return word;
    }

    /** Whether it reports something going wrong. */
    public boolean warning() {
        return warning;
    }

    /** The reason word of an event whose message does not begin with one, else null. */
    String reason() {
        return reason;
    }

    /** The type named {@code word}, if it is one. */
    public static Optional<EventType> of(String word) {
        return Arrays.stream(values()).filter(t -> t.word.equals(word)).findFirst();
    }

    /** Every name, in the order above. */
    public static List<String> words() {
        return Arrays.stream(values()).map(EventType::word).toList();
    }

    @Override
    public String toString() {
        return word;
    }
}
