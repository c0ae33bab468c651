package io.voltis.sync.git;

/** The Git source failed; the message is one line, with credentials removed. */
public final class SourceException extends Exception {

    private final Reason reason;

    public SourceException(Reason reason, String message, Throwable cause) {
        super(Redact.text(message), cause);
        this.reason = reason;
    }

    public SourceException(Reason reason, String message) {
        this(reason, message, null);
    }

    public Reason reason() {
        return reason;
    }
}
