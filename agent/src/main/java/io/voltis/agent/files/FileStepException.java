package io.voltis.agent.files;

/** A file could not be rendered or written; one line naming the file and why. */
public final class FileStepException extends Exception {

    public FileStepException(String message, Throwable cause) {
        super(message, cause);
    }

    public FileStepException(String message) {
        super(message);
    }
}
