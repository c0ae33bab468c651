package io.voltis.sync.git;

/**
 * Why the source failed, typed by what should happen next. NOTE: {@link #word()} is shown by
 * status, events and metrics; it is part of the API.
 */
public enum Reason {
    /** Network, DNS, refused connection, server error: back off and retry. */
    GIT_UNREACHABLE("GitUnreachable", Kind.WAITING),
    /** Credentials refused or missing: retried, but a person must usually fix them. */
    AUTHENTICATION_FAILED("AuthenticationFailed", Kind.WAITING),
    /** The SSH host key is unknown or changed: never accepted silently. */
    HOST_KEY_REJECTED("HostKeyRejected", Kind.WAITING),
    /** The branch does not exist on the remote (deleted, or a typo in --branch). */
    BRANCH_NOT_FOUND("BranchNotFound", Kind.WAITING),
    /** A pinned or asked-for revision is not on the server (or not unique). */
    REVISION_NOT_FOUND("RevisionNotFound", Kind.STALLED),
    /** The local mirror or state cannot be used. */
    LOCAL_ERROR("LocalError", Kind.GENERIC),
    /** The state directory's file system is full (ENOSPC): retried; recovers when space returns. */
    DISK_FULL("DiskFull", Kind.WAITING),
    /** The revision store cannot be used (closed by H2 after a failed write, or removed): reopened on a later try. */
    STORE_UNAVAILABLE("StoreUnavailable", Kind.WAITING),
    /** Too little free space to unpack or apply a revision: nothing was touched; retried. */
    INSUFFICIENT_SPACE("InsufficientSpace", Kind.WAITING);

    /** What should happen next (STYLE.md, "Failures are typed by what should happen next"). */
    public enum Kind { STALLED, WAITING, GENERIC }

    private final String word;
    private final Kind kind;

    Reason(String word, Kind kind) {
        this.word = word;
        this.kind = kind;
    }

    public String word() {
        return word;
    }

    public Kind kind() {
        return kind;
    }
}
