package io.voltis.sync.store;

/**
 * The store cannot be opened or used. The message is one line a person can act on: it names
 * the file and what to do, and never holds the database password.
 */
public class StoreException extends RuntimeException {

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public StoreException(String message) {
        super(message);
    }
}
