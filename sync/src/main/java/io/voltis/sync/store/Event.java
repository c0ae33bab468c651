package io.voltis.sync.store;

import java.time.Instant;

/** Something that changed: a new revision seen, applied, failed, a service degraded... */
public record Event(long id, Instant at, String type, String revision, String message) {
}
