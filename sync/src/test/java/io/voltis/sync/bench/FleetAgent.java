package io.voltis.sync.bench;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Random;
import java.util.random.RandomGenerator;

import io.voltis.sync.PollResult;
import io.voltis.sync.PollSchedule;
import io.voltis.sync.Poller;
import io.voltis.sync.git.GitCredentials;
import io.voltis.sync.git.GitMirror;
import io.voltis.sync.git.GitSourceSpec;
import io.voltis.sync.store.RevisionStore;

/**
 * One simulated device of the fleet benchmark: the agent's real store, mirror, poller and poll
 * schedule, built as {@code Agent.build()} builds them, in a state folder of its own. Only the
 * scheduling is the benchmark's (a shared executor instead of one Quartz scheduler per device).
 *
 * <p>Not thread-safe: one poll at a time, as in the agent.
 */
final class FleetAgent implements AutoCloseable {

    private final RevisionStore store;
    private final GitMirror mirror;
    private final Poller poller;
    private final PollSchedule schedule;
    private volatile long firstFetchMillis = -1;
    private volatile String fetchedHead;
    private volatile long fetchedAtMillis = -1;

    private FleetAgent(RevisionStore store, GitMirror mirror, PollSchedule schedule) {
        this.store = store;
        this.mirror = mirror;
        this.poller = new Poller(mirror, store, Clock.systemUTC(), Duration.ofMinutes(10));
        this.schedule = schedule;
    }

    /**
     * @param lockstep no phase and no jitter: every device polls at the same instants (backoff on
     *                 failure is kept, as it is the agent's)
     */
    static FleetAgent open(Path state, String url, String hostname, Duration interval, boolean lockstep) {
        RevisionStore store = RevisionStore.openOwner(state, Clock.systemUTC());
        try {
            GitMirror mirror = GitMirror.open(state.resolve("mirror"), state.resolve("ssh"),
                    new GitSourceSpec(url, "main", "", GitCredentials.NONE));
            RandomGenerator random = lockstep ? new Unjittered() : new Random();
            return new FleetAgent(store, mirror,
                    new PollSchedule(interval, PollSchedule.DEFAULT_MAX_BACKOFF, hostname, random));
        } catch (Exception e) {
            close(store);
            throw new IllegalStateException("cannot open agent " + hostname + " in " + state + ": " + e.getMessage(), e);
        }
    }

    PollSchedule schedule() {
        return schedule;
    }

    /** One poll, as the agent's poll job runs it; notes when a new head was fetched. */
    PollResult poll() {
        PollResult result = poller.poll();
        if (result instanceof PollResult.Fetched fetched) {
            long now = System.currentTimeMillis();
            fetchedHead = fetched.head();
            fetchedAtMillis = now;
            if (firstFetchMillis < 0) {
                firstFetchMillis = now;
            }
        }
        return result;
    }

    /** When the first fetch (the shallow clone) ended; -1 before. */
    long firstFetchMillis() {
        return firstFetchMillis;
    }

    /** When {@code sha} was fetched, if it is the last head fetched; -1 otherwise. */
    long fetchedAtMillis(String sha) {
        long at = fetchedAtMillis;
        return sha.equals(fetchedHead) ? at : -1;
    }

    @Override
    public void close() {
        mirror.close();
        close(store);
    }

    private static void close(RevisionStore store) {
        try {
            store.close();
        } catch (Exception e) {
            System.err.println("fleet: cannot close a store: " + e.getMessage());
        }
    }

    /** Always the middle of the jitter range: every interval exactly as configured. */
    private static final class Unjittered implements RandomGenerator {
        @Override
        public long nextLong() {
            return Long.MIN_VALUE;
        }

        @Override
        public double nextDouble() {
            return 0.5;
        }
    }
}
