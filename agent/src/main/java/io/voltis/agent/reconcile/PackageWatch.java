package io.voltis.agent.reconcile;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.voltis.agent.packages.PackageStatus;
import io.voltis.model.PackageSpec;

/**
 * The packages part of the observed state: what the last packages step (on apply) or re-read
 * saw, for one revision. The rule of when packages are checked (docs/decisions/0011) lives here:
 * <ul>
 *   <li>on every apply, by the packages step, which installs what is missing;</li>
 *   <li>between applies, a read-only re-read of the applied revision's packages when the
 *       agent has none for it (the first tick after a start, or after an apply of another
 *       revision that did not go through), and then every {@link #RECHECK}.</li>
 * </ul>
 * While the desired revision keeps failing at its packages step, its failure is what is shown
 * and nothing is re-read: each retry of that apply checks again. Kept in memory only: a
 * restarted agent re-reads on its first tick.
 *
 * <p>Not thread-safe: used on the tick's thread; {@link #statuses()} hands out an immutable list.
 */
final class PackageWatch {

    /** NOTE: docs/packages.md and decision 0011 name this cadence. */
    static final Duration RECHECK = Duration.ofMinutes(10);

    private final PackageStep step;
    private String sha;
    private List<PackageStatus> seen = List.of();
    private Instant lookedAt;
    private boolean failed;

    PackageWatch(PackageStep step) {
        this.step = step;
    }

    /** The packages step of the apply of {@code sha}; what it saw becomes the status. */
    List<PackageStatus> ensure(String sha, List<PackageSpec> packages, Map<String, String> vars, Instant now) {
        record(sha, step.ensure(packages, vars, now), now);
        return seen;
    }

    /**
     * Re-reads the packages of {@code applied} when due. {@code failingSha} is the desired
     * revision when its apply is failing, else null.
     */
    void recheck(Applied applied, String failingSha, Instant now) {
        if (failed && sha.equals(failingSha)) {
            return;
        }
        boolean due = !applied.sha().equals(sha) || lookedAt == null || !now.isBefore(lookedAt.plus(RECHECK));
        if (due) {
            record(applied.sha(), step.look(applied.ready().resolution().workload().spec().packages(), applied.vars(),
                    now), now);
        }
    }

    List<PackageStatus> statuses() {
        return seen;
    }

    private void record(String revision, List<PackageStatus> statuses, Instant now) {
        sha = revision;
        seen = List.copyOf(statuses);
        lookedAt = now;
        failed = seen.stream().anyMatch(s -> s.state() == PackageStatus.State.FAILED);
    }
}
