package io.voltis.sync.store;

import java.time.Instant;

/**
 * What the agent last knew of the Git source. {@code reason} is a stable word
 * ({@code GitUnreachable}, {@code AuthenticationFailed}, ...) and {@code error} one line,
 * never with a credential; both null while reachable. {@code failingSince} is when the
 * current run of failures began.
 */
public record SourceState(Instant lastPollAt, Instant lastFetchAt, String headRevision, boolean reachable,
                          String reason, String error, Instant failingSince) {

    public static final SourceState UNKNOWN = new SourceState(null, null, null, false, null, null, null);
}
