package io.voltis.sync.store;

import java.time.Instant;

/**
 * A commit the agent fetched: who and when from Git, when the agent first saw it, and what
 * validation made of it. A commit validated {@link Validation#INVALID} is "known bad": it is
 * not retried every tick, and {@code problems} holds its one-line problems, newline-separated.
 * {@code trust} is what verifying its signature found ({@link #VERIFIED}, a trust reason word,
 * {@link #ACCEPTED}; null when never verified), {@code signer} who signed it, {@code trustMessage}
 * the one-line reason when it did not verify.
 */
public record RevisionRecord(String sha, String author, Instant committedAt, String message, Instant firstSeen,
                             Validation validation, String problems, String trust, String signer, String trustMessage) {

    /** A revision whose signature was never verified ({@code verify: off}). */
    public RevisionRecord(String sha, String author, Instant committedAt, String message, Instant firstSeen,
                          Validation validation, String problems) {
        this(sha, author, committedAt, message, firstSeen, validation, problems, null, null, null);
    }

    public enum Validation { PENDING, VALID, INVALID }

    /** The result word that says a commit's signature verified (the others are the trust reasons). */
    public static final String VERIFIED = "Verified";
    /** The result word of a revision a CLI pin accepted without verification ({@code --allow-unverified}). */
    public static final String ACCEPTED = "Accepted";
}
