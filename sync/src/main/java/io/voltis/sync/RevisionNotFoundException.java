package io.voltis.sync;

import java.util.List;

/** A revision asked for (pin, rollback, plan) is unknown or ambiguous; the message says which and lists candidates. */
public final class RevisionNotFoundException extends Exception {

    private final List<String> candidates;

    public RevisionNotFoundException(String message, List<String> candidates) {
        super(message);
        this.candidates = List.copyOf(candidates);
    }

    public List<String> candidates() {
        return candidates;
    }
}
