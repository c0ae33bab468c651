package io.voltis.sync;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

import io.voltis.sync.git.CommitInfo;
import io.voltis.sync.git.GitMirror;
import io.voltis.sync.git.Reason;
import io.voltis.sync.git.SourceException;
import io.voltis.sync.store.EventType;
import io.voltis.sync.store.RevisionStore;
import io.voltis.sync.store.SourceState;
import io.voltis.sync.store.StoreUnavailableException;

/**
 * One poll of the Git source: a ref check, and a fetch only when the head moved. A poll that
 * answers a check-now hint fetches straight away instead: the hint says the branch has probably
 * moved, and the fetch's own ref advertisement is the check, so the separate one's requests are
 * saved (decision 0042). Every new head is recorded as a revision. A poll that finds nothing
 * new writes nothing to disk: the last-poll time lives in memory and reaches the store only when
 * something else changes, or once per {@code persistEvery} (devices run on flash that wears).
 *
 * <p>Not thread-safe: one poll at a time (the scheduler's poll job).
 */
public final class Poller {

    private final GitMirror mirror;
    private final RevisionStore store;
    private final Clock clock;
    private final Duration persistEvery;
    private volatile SourceState state;
    private Instant persistedAt;
    /** Failed polls since the last good one, for the recovery line; not persisted. */
    private int failedPolls;

    public Poller(GitMirror mirror, RevisionStore store, Clock clock, Duration persistEvery) {
        this.mirror = mirror;
        this.store = store;
        this.clock = clock;
        this.persistEvery = persistEvery;
        this.state = store.sourceState();
        this.persistedAt = clock.instant();
    }

    /** The source as last seen, including the in-memory last-poll time. */
    public SourceState state() {
        return state;
    }

    /** A scheduled poll: the ref check, then a fetch only when the head moved. */
    public PollResult poll() {
        return poll(false);
    }

    /**
     * One poll. {@code hinted}: it answers a check-now hint (an MQTT message, {@code voltis-agent
     * sync}), so it fetches without the ref check first when the remote is a server: about 3
     * requests instead of 5 when the branch moved, and the same 2 as a ref check when it did not
     * (the fetch then asks for nothing and writes nothing). A fetch that fails falls back to the
     * ref check, so the failure is classified and reported as a scheduled poll's would be.
     */
    public PollResult poll(boolean hinted) {
        Instant now = clock.instant();
        SourceState before = state;
        try {
            boolean fetchFirst = hinted && !mirror.checksLocally();
            // whether the mirror held the last head before this poll: a fetch that brought it back
            // (the mirror was removed) is a fetch, as on a scheduled poll, not "unchanged"
            boolean held = fetchFirst && before.headRevision() != null && mirror.has(before.headRevision());
            GitMirror.Fetched early = fetchFirst ? fetchOrNull() : null;
            String head = early != null ? early.head() : mirror.remoteHead();
            if (before.reason() != null) {
                store.addEvent(EventType.SOURCE_RECOVERED, head, "source recovered after " + before.reason()
                        + (failedPolls > 0 ? " (" + failedPolls + " failed poll" + (failedPolls > 1 ? "s" : "") + ")" : ""));
            }
            failedPolls = 0;
            if (head.equals(before.headRevision()) && (early != null ? held : mirror.has(head))) {
                state = new SourceState(now, before.lastFetchAt(), head, true, null, null, null);
                persist(!before.reachable(), now);
                return new PollResult.Unchanged(head);
            }
            GitMirror.Fetched fetched = early != null ? early : mirror.fetchHead();
            String previous = before.headRevision();
            boolean forced = previous != null && mirror.has(previous) && !mirror.isAncestor(previous, fetched.head());
            CommitInfo info = mirror.commitInfo(fetched.head());
            boolean seen = store.revision(fetched.head()).isPresent();
            store.recordRevision(info.sha(), info.author(), info.committedAt(), info.message());
            if (!seen) {
                store.addEvent(EventType.REVISION_SEEN, info.sha(), "new head of " + mirror.spec().branch() + ": " + info.message());
            }
            if (forced) {
                store.addEvent(EventType.HISTORY_REWRITTEN, info.sha(), "branch " + mirror.spec().branch() + " was force-pushed: "
                        + previous + " is no longer on it");
            }
            state = new SourceState(now, now, fetched.head(), true, null, null, null);
            persist(true, now);
            return new PollResult.Fetched(fetched.head(), previous, fetched.packBytes(), forced);
        } catch (SourceException e) {
            return failed(before, now, e.reason(), e.getMessage());
        } catch (StoreUnavailableException e) {
            // the head could not be recorded: the next poll fetches it again (nothing is lost)
            return failed(before, now, e.reason().equals(StoreUnavailableException.DISK_FULL) ? Reason.DISK_FULL
                    : Reason.STORE_UNAVAILABLE, e.getMessage());
        }
    }

    /** The hinted poll's fetch; null when it failed (the ref check that follows says why). */
    private GitMirror.Fetched fetchOrNull() {
        try {
            return mirror.fetchHead();
        } catch (SourceException e) {
            return null;
        }
    }

    private PollResult failed(SourceState before, Instant now, Reason reason, String message) {
        failedPolls++;
        Instant since = before.reachable() || before.failingSince() == null ? now : before.failingSince();
        state = new SourceState(now, before.lastFetchAt(), before.headRevision(), false, reason.word(), message, since);
        boolean changed = before.reachable() || !Objects.equals(before.reason(), reason.word())
                || !Objects.equals(before.error(), message);
        if (changed) {
            store.addEvent(EventType.SOURCE_FAILED, before.headRevision(), reason.word() + ": " + message);
        }
        persist(changed, now);
        return new PollResult.Failed(reason, message);
    }

    private void persist(boolean changed, Instant now) {
        if (changed || Duration.between(persistedAt, now).compareTo(persistEvery) >= 0) {
            try {
                store.saveSourceState(state);
                persistedAt = now;
            } catch (StoreUnavailableException e) {
                // kept in memory; written by a later poll once the store is back
            }
        }
    }
}
