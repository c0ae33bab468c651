package io.voltis.sync.store;

/**
 * The store cannot be opened or used. The message is one line a person can act on: it names
 * the file and what to do, and never holds the database password.
 */
public class StoreException extends RuntimeException {

    private final boolean damaged;

    public StoreException(String message, Throwable cause) {
        this(message, cause, false);
    }

    public StoreException(String message) {
        this(message, null, false);
    }

    private StoreException(String message, Throwable cause, boolean damaged) {
        super(message, cause);
        this.damaged = damaged;
    }

    /** The database file itself is damaged (H2 or the store's own checks say so); see {@link #damaged()}. */
    static StoreException ofDamage(String message, Throwable cause) {
        return new StoreException(message, cause, true);
    }

    /**
     * Whether the database file is damaged, as opposed to missing, locked, full or out of reach:
     * the one case where the daemon sets the file aside and starts a new one
     * ({@link RevisionStore#setAsideDamaged}; decision 0026).
     */
    public boolean damaged() {
        return damaged;
    }
}
