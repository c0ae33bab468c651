package io.voltis.agent.secrets;

/** The device identity cannot be used; the message is one line with the file and the fix, never a key. */
public final class IdentityException extends Exception {

    public IdentityException(String message) {
        super(message);
    }

    public IdentityException(String message, Throwable cause) {
        super(message, cause);
    }
}
