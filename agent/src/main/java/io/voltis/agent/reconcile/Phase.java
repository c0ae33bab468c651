package io.voltis.agent.reconcile;

/** Where the device stands. NOTE: {@link #word()} is the status API's {@code phase}. */
public enum Phase {
    /** No device file for this host in the desired commit: nothing to do, nothing torn down. */
    NO_WORKLOAD("NoWorkload"),
    /** A revision is being applied, or nothing has been fetched yet. */
    PROGRESSING("Progressing"),
    /** The desired revision is applied and every service is as desired. */
    SYNCED("Synced"),
    /** The desired revision is applied but a service is not running or not healthy. */
    DEGRADED("Degraded"),
    /** The desired revision cannot be applied (invalid, missing, or its apply failed); the last good one keeps running. */
    FAILED("Failed"),
    /**
     * The desired revision failed its health gate and is quarantined; the device runs the last
     * verified revision again. Never "converged": it does not run what it should.
     */
    ROLLED_BACK("RolledBack");

    private final String word;

    Phase(String word) {
        this.word = word;
    }

    public String word() {
        return word;
    }

    /** Whether the device converged ({@code run --once} exits 0 only then). */
    public boolean isConverged() {
        return this == SYNCED;
    }
}
