package io.voltis.agent.notify;

import java.util.Arrays;
import java.util.Set;

import io.voltis.sync.store.EventType;

/** How bad an event is, for a target's {@code min-severity}. NOTE: the words are the setting's values. */
public enum Severity {
    INFO("info"), WARNING("warning"), ERROR("error");

    /** The events that mean the device does not run what it should, or lost something. */
    private static final Set<EventType> ERRORS = Set.of(EventType.APPLY_FAILED, EventType.REVISION_INVALID,
            EventType.GATE_FAILED, EventType.REVISION_REFUSED, EventType.REVISION_QUARANTINED, EventType.STATE_LOST,
            EventType.STORE_REBUILT, EventType.JOB_FAILED, EventType.RESTORE_FAILED);

    private final String word;

    Severity(String word) {
        this.word = word;
    }

    public String word() {
        return word;
    }

    /** Errors as above; the other failures, and a rollback, are warnings; the rest is information. */
    public static Severity of(EventType type) {
        if (ERRORS.contains(type)) {
            return ERROR;
        }
        return type.warning() || type == EventType.ROLLED_BACK ? WARNING : INFO;
    }

    public static String words() {
        return String.join("|", Arrays.stream(values()).map(Severity::word).toList());
    }
}
