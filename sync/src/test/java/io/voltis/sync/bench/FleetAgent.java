package io.voltis.sync.bench;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Random;

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
 * scheduling is the benchmark's (a shared executor instead of one Quartz scheduler per device),
 * and the store gives up what {@link StoreConcessions} lists (its CLI server, and H2's pooled write
 * buffers), which the Git server never sees.
 *
 * <p>Not thread-safe: one poll at a time, as in the agent.
 */
final class FleetAgent implements AutoCloseable {

    private final RevisionStore store;
    private final GitMirror mirror;
    private final Poller poller;
    private final PollSchedule schedule;
    private final PollSchedule hinted;
    private final String hostname;
    private final java.util.concurrent.atomic.AtomicBoolean hintPending = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile long firstPollMillis = -1;
    private volatile String fetchedHead;
    private volatile long fetchedAtMillis = -1;

    private FleetAgent(RevisionStore store, GitMirror mirror, PollSchedule schedule, PollSchedule hinted, String hostname) {
        this.store = store;
        StoreConcessions.stopCliServer(store); // see StoreConcessions: the simulator's limits,
        StoreConcessions.releaseWriteBuffers(store); // not what a device does
        this.mirror = mirror;
        this.poller = new Poller(mirror, store, Clock.systemUTC(), Duration.ofMinutes(10));
        this.schedule = schedule;
        this.hinted = hinted;
        this.hostname = hostname;
    }

    static FleetAgent open(Path state, String url, String hostname, Duration interval, Duration hintInterval) {
        RevisionStore store = RevisionStore.openOwner(state, Clock.systemUTC());
        try {
            GitMirror mirror = GitMirror.open(state.resolve("mirror"), state.resolve("ssh"),
                    new GitSourceSpec(url, "main", "", GitCredentials.NONE));
            return new FleetAgent(store, mirror,
                    new PollSchedule(interval, PollSchedule.DEFAULT_MAX_BACKOFF, hostname, new Random(), Clock.systemUTC()),
                    new PollSchedule(hintInterval, PollSchedule.DEFAULT_MAX_BACKOFF, hostname, new Random(), Clock.systemUTC()),
                    hostname);
        } catch (Exception e) {
            close(store);
            throw new IllegalStateException("cannot open agent " + hostname + " in " + state + ": " + e.getMessage(), e);
        }
    }

    /** The agent's own schedule: slots at a phase hashed from the hostname, jitter on top. */
    PollSchedule schedule() {
        return schedule;
    }

    /** The schedule of the hinted round: the long safety-net interval. */
    PollSchedule hintedSchedule() {
        return hinted;
    }

    String hostname() {
        return hostname;
    }

    /** Takes a hint: true when no hinted poll is pending already (then the caller schedules one). */
    boolean hint() {
        return hintPending.compareAndSet(false, true);
    }

    /** Starts a round: forgets when the last round's first poll ended. */
    void newRound() {
        firstPollMillis = -1;
    }

    /**
     * One poll, as the agent's poll job runs it; notes when a new head was fetched. {@code hinted}:
     * it answers a check-now hint, so it fetches without a ref check first, as the agent's does.
     */
    synchronized PollResult poll(boolean hinted) {
        hintPending.set(false);
        PollResult result = poller.poll(hinted);
        StoreConcessions.releaseWriteBuffers(store); // see StoreConcessions
        long now = System.currentTimeMillis();
        if (result instanceof PollResult.Fetched fetched) {
            fetchedHead = fetched.head();
            fetchedAtMillis = now;
        }
        if (firstPollMillis < 0) {
            firstPollMillis = now;
        }
        return result;
    }

    /** When this round's first poll ended (in the first round, the shallow clone); -1 before. */
    long firstPollMillis() {
        return firstPollMillis;
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
}
