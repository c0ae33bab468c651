package io.voltis.sync.store;

import java.time.Instant;

/**
 * A commit the agent fetched: who and when from Git, when the agent first saw it, and what
 * validation made of it. A commit validated {@link Validation#INVALID} is "known bad": it is
 * not retried every tick, and {@code problems} holds its one-line problems, newline-separated.
 * {@code trust} is what verifying its signature found ({@link #VERIFIED}, a trust reason word,
 * {@link #ACCEPTED}; null when never verified), {@code signer} who signed it, {@code trustMessage}
 * the one-line reason when it did not verify. {@code gate} is what the health gate found of it
 * once applied, {@code gateReason} why it failed.
 */
public record RevisionRecord(String sha, String author, Instant committedAt, String message, Instant firstSeen,
                             Validation validation, String problems, String trust, String signer, String trustMessage,
                             Gate gate, String gateReason) {

    /** A revision whose signature was never verified ({@code verify: off}) and that no health gate judged. */
    public RevisionRecord(String sha, String author, Instant committedAt, String message, Instant firstSeen,
                          Validation validation, String problems) {
        this(sha, author, committedAt, message, firstSeen, validation, problems, null, null, null, null, null);
    }

    /** What the health gate found of an applied revision; null while it was never judged. */
    public enum Gate {
        /** It stayed healthy for the window: verified good, a rollback target. */
        PASSED,
        /** It failed its gate: quarantined (rolled back from) or held. */
        FAILED
    }

    public enum Validation { PENDING, VALID, INVALID }

    /**
     * NOTE: how the problem of a quarantined revision starts (the agent died on it three times, or
     * its health gate failed); {@link RevisionStore#releaseQuarantine} releases only those.
     */
    public static final String QUARANTINED = "quarantined:";

    /** The result word that says a commit's signature verified (the others are the trust reasons). */
    public static final String VERIFIED = "Verified";
    /** The result word of a revision a CLI pin accepted without verification ({@code --allow-unverified}). */
    public static final String ACCEPTED = "Accepted";
}
