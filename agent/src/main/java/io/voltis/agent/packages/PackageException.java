package io.voltis.agent.packages;

/** A package could not be ensured; the message is one line naming the package and why. */
public final class PackageException extends Exception {

    public PackageException(String message, Throwable cause) {
        super(message, cause);
    }

    public PackageException(String message) {
        super(message);
    }
}
