package io.voltis.sync.trust;

/**
 * Why a commit is not trusted (DESIGN.md, "Trust: signed commits"). A person must act on every
 * one of them (sign, add or rotate a key, pin explicitly): they are never retried on their own.
 */
public enum TrustReason {
    /** The commit carries no signature. */
    UNSIGNED("Unsigned"),
    /** Signed by a key no allowed_signers entry names. */
    UNKNOWN_SIGNER("UnknownSigner"),
    /** The signature does not match the commit (tampered), or cannot be checked. */
    BAD_SIGNATURE("BadSignature"),
    /** Signed by an allowed key outside its valid-after/valid-before window. */
    EXPIRED_KEY("ExpiredKey"),
    /** Signed by a key on the revocation list. */
    REVOKED_KEY("RevokedKey"),
    /** The head does not descend from the last applied revision (force-push, replayed branch). */
    NOT_DESCENDANT("NotDescendant");

    private final String word;

    TrustReason(String word) {
        this.word = word;
    }

    public String word() {
        return word;
    }
}
