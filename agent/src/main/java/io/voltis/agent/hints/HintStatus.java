package io.voltis.agent.hints;

import java.time.Instant;
import java.util.List;

/**
 * One source of check-now hints, as status shows it (docs/api.md): {@code source} (mqtt),
 * {@code address} (the broker, no credentials), {@code topics}, {@code delay} (this host's wait
 * after a fleet hint), whether it is {@code connected} and {@code since} when, the hints
 * {@code received} and {@code coalesced}, the last one, and the {@code error} while it fails.
 */
public record HintStatus(String source, String address, List<String> topics, String delay, boolean connected,
                         Instant since, long received, long coalesced, Instant lastHintAt, String error,
                         Instant errorSince) {
}
