package io.voltis.sync.store;

import java.time.Instant;

/** One notice waiting in the outbox: {@code noticeId} is its stable id, {@code createdAt} when its event happened. */
public record OutboxEntry(long id, String target, String noticeId, String kind, String payload, Instant createdAt,
                          int attempts, Instant nextAt, String lastError) {
}
