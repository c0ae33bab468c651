package io.voltis.sync.store;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Decides who hears of an event ({@link RevisionStore#notifyWith}): the store asks it for each
 * event it records and queues the notices in the outbox in the same transaction, so an event
 * recorded is never an event untold, and a notice is never queued for an event not recorded.
 */
public interface Notices {

    /** Nobody hears of anything. */
    Notices NONE = (type, revision, message, at) -> List.of();

    /** The candidate notices of one event, before the store's de-duplication. Never throws. */
    List<Notice> of(EventType type, String revision, String message, Instant at);

    /** After the transaction that queued notices for {@code targets} committed: wake their senders. */
    default void queued(Set<String> targets) {
    }
}
