package io.voltis.sync.trust;

/** A trust file that cannot be used; the message is one line naming the file and line. */
public final class TrustConfigException extends Exception {

    private static final long serialVersionUID = 1L;

    public TrustConfigException(String message) {
        super(message);
    }
}
