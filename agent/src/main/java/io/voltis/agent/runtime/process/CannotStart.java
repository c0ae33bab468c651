package io.voltis.agent.runtime.process;

/** A service whose process could not be created; the message is the one line that status shows. */
final class CannotStart extends Exception {

    private static final long serialVersionUID = 1L;

    CannotStart(String reason) {
        super("cannot start: " + reason);
    }
}
