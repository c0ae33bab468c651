package io.voltis.sync;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

import io.voltis.sync.git.CommitInfo;
import io.voltis.sync.git.GitMirror;
import io.voltis.sync.git.SourceException;
import io.voltis.sync.store.RevisionStore;
import io.voltis.sync.store.SourceState;

/**
 * One poll of the Git source: a ref check, and a fetch only when the head moved. Every new
 * head is recorded as a revision. A poll that finds nothing new writes nothing to disk: the
 * last-poll time lives in memory and reaches the store only when something else changes, or
 * once per {@code persistEvery} (devices run on flash that wears).
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

    public PollResult poll() {
        Instant now = clock.instant();
        SourceState before = state;
        try {
            String head = mirror.remoteHead();
            if (before.reason() != null) {
                store.addEvent("SourceRecovered", head, "source reachable again after " + before.reason());
            }
            if (head.equals(before.headRevision()) && mirror.has(head)) {
                state = new SourceState(now, before.lastFetchAt(), head, true, null, null, null);
                persist(!before.reachable(), now);
                return new PollResult.Unchanged(head);
            }
            GitMirror.Fetched fetched = mirror.fetchHead();
            String previous = before.headRevision();
            boolean forced = previous != null && mirror.has(previous) && !mirror.isAncestor(previous, fetched.head());
            CommitInfo info = mirror.commitInfo(fetched.head());
            boolean seen = store.revision(fetched.head()).isPresent();
            store.recordRevision(info.sha(), info.author(), info.committedAt(), info.message());
            if (!seen) {
                store.addEvent("RevisionSeen", info.sha(), "new head of " + mirror.spec().branch() + ": " + info.message());
            }
            if (forced) {
                store.addEvent("HistoryRewritten", info.sha(), "branch " + mirror.spec().branch() + " was force-pushed: "
                        + previous + " is no longer on it");
            }
            state = new SourceState(now, now, fetched.head(), true, null, null, null);
            persist(true, now);
            return new PollResult.Fetched(fetched.head(), previous, fetched.packBytes(), forced);
        } catch (SourceException e) {
            Instant since = before.reachable() || before.failingSince() == null ? now : before.failingSince();
            state = new SourceState(now, before.lastFetchAt(), before.headRevision(), false, e.reason().word(),
                    e.getMessage(), since);
            boolean changed = before.reachable() || !Objects.equals(before.reason(), e.reason().word())
                    || !Objects.equals(before.error(), e.getMessage());
            if (changed) {
                store.addEvent("SourceFailed", before.headRevision(), e.reason().word() + ": " + e.getMessage());
            }
            persist(changed, now);
            return new PollResult.Failed(e.reason(), e.getMessage());
        }
    }

    private void persist(boolean changed, Instant now) {
        if (changed || Duration.between(persistedAt, now).compareTo(persistEvery) >= 0) {
            store.saveSourceState(state);
            persistedAt = now;
        }
    }
}
