package io.voltis.sync.store;

import java.time.Duration;
import java.util.function.Function;

/**
 * What one target should hear of one event, as {@link Notices} decide it; the store queues it
 * (or not) in the transaction that records the event.
 *
 * @param target    the target's name
 * @param condition what the event is a state of ({@code apply}, {@code source}, {@code service:web}),
 *                  or null for an event that is no condition: it is queued whenever {@code listed}
 * @param key       the notice's identity without any time: kind, revision, reason and subject;
 *                  a failure whose key the target was already told of is not queued again
 * @param recovery  the event ends {@code condition}: queued (once) when the target was told of it
 * @param listed    the target asked for this kind of event
 * @param reminder  how long a condition that persists waits before it is told again; null: never
 * @param payload   the body, given the notice's stable id
 */
public record Notice(String target, String condition, String key, boolean recovery, boolean listed, Duration reminder,
                     Function<String, String> payload) {
}
