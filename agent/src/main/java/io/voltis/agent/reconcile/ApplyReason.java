package io.voltis.agent.reconcile;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.voltis.sync.git.Reason.Kind;

/**
 * Why a revision could not be applied, typed by what happens next (STYLE.md: stalled, waiting,
 * generic). The word starts {@code lastError}, the {@code ApplyFailed} event and its log line,
 * and labels {@code voltis_applies_total{result="failed"}}; the kind decides when the reconciler
 * tries the same revision again ({@link #retryAt}). Source failures have their own words
 * ({@link io.voltis.sync.git.Reason}).
 */
public enum ApplyReason {
    /** The revision is invalid for this device (file:line problems): a person must fix the repo; never retried. */
    INVALID_WORKLOAD("InvalidWorkload", Kind.STALLED),
    /** The agent died three times in a row on this revision (docs/decisions/0020): never retried. */
    QUARANTINED("Quarantined", Kind.STALLED),
    /** A file could not be rendered or written (a folder in the way, permissions): retried soon, then less often. */
    FILES_FAILED("FilesFailed", Kind.GENERIC),
    /** A package could not be installed (mirror unreachable, dpkg locked): backs off. */
    PACKAGE_FAILED("PackageFailed", Kind.WAITING),
    /** A per-revision or once job failed or timed out: backs off (it may depend on something outside). */
    JOB_FAILED("JobFailed", Kind.WAITING),
    /** Too little free space under the root: nothing touched; checked again every tick (a statvfs). */
    INSUFFICIENT_SPACE("InsufficientSpace", Kind.WAITING),
    /** verify: enforce refused the revision (DESIGN.md, "Trust: signed commits"): a person must sign, trust a key or pin. */
    UNSIGNED("Unsigned", Kind.STALLED),
    UNKNOWN_SIGNER("UnknownSigner", Kind.STALLED),
    BAD_SIGNATURE("BadSignature", Kind.STALLED),
    EXPIRED_KEY("ExpiredKey", Kind.STALLED),
    REVOKED_KEY("RevokedKey", Kind.STALLED),
    NOT_DESCENDANT("NotDescendant", Kind.STALLED),
    /** The revision failed its health gate and is quarantined or held: a newer commit, a pin or {@code retry}. */
    GATE_FAILED("GateFailed", Kind.STALLED),
    /** Anything else (the apply could not be recorded, an unexpected error): retried soon, then less often. */
    APPLY_ERROR("ApplyError", Kind.GENERIC);

    /** NOTE: docs/agent.md, "Applying a revision", gives these figures. */
    static final Duration WAITING_FIRST = Duration.ofSeconds(30);
    static final Duration GENERIC_FIRST = Duration.ofSeconds(5);
    static final Duration MAX_WAIT = Duration.ofMinutes(10);

    private final String word;
    private final Kind kind;

    ApplyReason(String word, Kind kind) {
        this.word = word;
        this.kind = kind;
    }

    public String word() {
        return word;
    }

    public Kind kind() {
        return kind;
    }

    /**
     * When the same revision may be tried again after its {@code attempts}-th failure in a row:
     * never ({@link Instant#MAX}) when stalled; the next tick for {@link #INSUFFICIENT_SPACE};
     * else 30 s (waiting) or 5 s (generic), doubling with each failure, at most 10 min.
     */
    public Instant retryAt(int attempts, Instant now) {
        if (kind == Kind.STALLED) {
            return Instant.MAX;
        }
        if (this == INSUFFICIENT_SPACE) {
            return now;
        }
        return now.plus(io.voltis.sync.Doubling.delay(kind == Kind.WAITING ? WAITING_FIRST : GENERIC_FIRST, MAX_WAIT,
                attempts));
    }

    /** The word of a trust refusal: the same as the trust reason's. */
    static ApplyReason of(io.voltis.sync.trust.TrustReason trust) {
        return switch (trust) {
            case UNSIGNED -> UNSIGNED;
            case UNKNOWN_SIGNER -> UNKNOWN_SIGNER;
            case BAD_SIGNATURE -> BAD_SIGNATURE;
            case EXPIRED_KEY -> EXPIRED_KEY;
            case REVOKED_KEY -> REVOKED_KEY;
            case NOT_DESCENDANT -> NOT_DESCENDANT;
        };
    }

    /** Whether this is a trust refusal, which no apply was tried for. */
    public boolean trust() {
        return ordinal() >= UNSIGNED.ordinal() && ordinal() <= NOT_DESCENDANT.ordinal();
    }

    /** The word for a revision found invalid: quarantined revisions say so. */
    static ApplyReason ofInvalid(List<String> problems) {
        if (!problems.isEmpty() && problems.get(0).startsWith(GATE_QUARANTINE)) {
            return GATE_FAILED;
        }
        return !problems.isEmpty() && problems.get(0).startsWith(io.voltis.sync.store.RevisionRecord.QUARANTINED)
                ? QUARANTINED : INVALID_WORKLOAD;
    }

    /** NOTE: how the problem of a revision quarantined by its health gate starts (store and status show it). */
    static final String GATE_QUARANTINE = io.voltis.sync.store.RevisionRecord.QUARANTINED + " the health gate failed: ";
}
