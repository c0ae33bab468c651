package io.voltis.sync.store;

import java.time.Instant;

/**
 * A commit the agent fetched: who and when from Git, when the agent first saw it, and what
 * validation made of it. A commit validated {@link Validation#INVALID} is "known bad": it is
 * not retried every tick, and {@code problems} holds its one-line problems, newline-separated.
 */
public record RevisionRecord(String sha, String author, Instant committedAt, String message, Instant firstSeen,
                             Validation validation, String problems) {

    public enum Validation { PENDING, VALID, INVALID }
}
