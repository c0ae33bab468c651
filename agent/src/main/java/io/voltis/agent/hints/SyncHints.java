package io.voltis.agent.hints;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns check-now hints into at most one poll per window. A hint from the fleet (a broker) waits
 * this host's delay within {@code hint-spread}, so a hint to 10,000 devices is spread over the
 * spread instead of arriving at the Git server as one burst; a hint asked on the device
 * ({@code voltis-agent sync}, the API) is served at once. Hints that arrive while a hinted poll
 * is pending, or within {@link #MIN_GAP} of the last one, are coalesced into it: a flood of hints
 * costs the Git server one poll per window. Thread-safe.
 */
public final class SyncHints {

    private static final Logger LOG = LoggerFactory.getLogger(SyncHints.class);
    /** NOTE: docs/sync.md names it. The least time between two polls hints ask for. */
    public static final Duration MIN_GAP = Duration.ofSeconds(5);

    /** What a hint led to: the poll it asked for (new or coalesced) and when it runs. */
    public record Answer(Instant pollAt, boolean coalesced) {
    }

    private final Duration fleetDelay;
    private final Consumer<Instant> pollAt;
    private final Clock clock;
    private Instant pending; // the hinted poll not yet due
    private Instant lastServed; // when the last hinted poll was due
    private long received;
    private long coalesced;
    private Instant lastHintAt;

    /**
     * @param fleetDelay this host's delay after a fleet hint ({@code PollSchedule.hintDelay})
     * @param pollAt     moves the next poll to the instant given (the scheduler)
     */
    public SyncHints(Duration fleetDelay, Consumer<Instant> pollAt, Clock clock) {
        this.fleetDelay = fleetDelay;
        this.pollAt = pollAt;
        this.clock = clock;
    }

    /** A hint from the fleet (a broker): a poll after this host's delay. */
    public Answer fromFleet(String source) {
        return hint(source, fleetDelay);
    }

    /** A hint asked on this device: a poll now. */
    public Answer fromDevice(String source) {
        return hint(source, Duration.ZERO);
    }

    private Answer hint(String source, Duration delay) {
        Instant now = clock.instant();
        Instant at;
        synchronized (this) {
            received++;
            lastHintAt = now;
            if (pending != null && !pending.isAfter(now)) {
                lastServed = pending;
                pending = null;
            }
            if (lastServed != null && lastServed.isAfter(now.plus(MIN_GAP)) || pending != null
                    && pending.isAfter(now.plus(fleetDelay).plus(MIN_GAP))) {
                lastServed = null; // the clock went back: the gap counts from now
                pending = null;
            }
            at = now.plus(delay);
            if (lastServed != null && at.isBefore(lastServed.plus(MIN_GAP))) {
                at = lastServed.plus(MIN_GAP);
            }
            if (pending != null && !at.isBefore(pending)) {
                coalesced++;
                return new Answer(pending, true);
            }
            pending = at; // a device's own request does not wait for the fleet's spread
        }
        LOG.info("check-now hint from {}: polling {}", source,
                at.isAfter(now) ? "in " + Math.max(1, Duration.between(now, at).toMillis() / 1000) + "s" : "now");
        pollAt.accept(at);
        return new Answer(at, false);
    }

    /** Hints received since the start. */
    public synchronized long received() {
        return received;
    }

    /** Hints folded into a poll another hint had asked for. */
    public synchronized long coalesced() {
        return coalesced;
    }

    public synchronized Instant lastHintAt() {
        return lastHintAt;
    }

    public Duration fleetDelay() {
        return fleetDelay;
    }
}
