package io.voltis.sync.store;

/**
 * The store cannot be used now, for a reason the agent expects to pass: its file system is full
 * ({@code DiskFull}), or H2 closed the file after a failed write, or the file was removed
 * ({@code StoreUnavailable}). The owner reopens it on a later call; nothing written before the
 * failure is lost. NOTE: {@link #reason()} is a status reason word (docs/api.md).
 */
public final class StoreUnavailableException extends StoreException {

    private static final long serialVersionUID = 1L;

    /** NOTE: status, events and logs show these words. */
    public static final String DISK_FULL = "DiskFull";
    public static final String UNAVAILABLE = "StoreUnavailable";

    private final String reason;

    StoreUnavailableException(String reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    /** {@value #DISK_FULL} or {@value #UNAVAILABLE}. */
    public String reason() {
        return reason;
    }

    /** The reason word and the message, as status shows it. */
    public String line() {
        return reason + ": " + getMessage();
    }
}
