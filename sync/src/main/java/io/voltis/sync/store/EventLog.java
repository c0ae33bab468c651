package io.voltis.sync.store;

import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every event the store records is also one line in the agent's log (the journal under
 * systemd), so {@code journalctl -u voltis-agent} tells what the device is doing: source failed
 * and recovered, revision seen, apply started, applied, failed, drift corrected, service degraded.
 * Events are recorded on transitions only, so the log gets one line per transition, never one
 * per quiet poll or tick. Failures are WARN, the rest INFO.
 *
 * <p>NOTE: the line is {@code <Type> <revision, 12 hex digits>: <message>} (the revision left out
 * when the event has none); docs/operations.md shows examples and log shippers may parse it. The
 * message is the event's own, which is scrubbed of credentials where it is made.
 */
final class EventLog {

    private static final Logger LOG = LoggerFactory.getLogger("io.voltis.events");
    /** Event types that report something wrong. */
    private static final Set<String> PROBLEMS = Set.of("SourceFailed", "HistoryRewritten", "RevisionInvalid",
            "ApplyFailed", "RestoreFailed", "ArchiveFailed", "ServiceDegraded");

    private EventLog() {
    }

    static void write(String type, String revision, String message) {
        String rev = revision == null || revision.isEmpty() ? "" : " " + revision.substring(0, Math.min(12, revision.length()));
        String text = message == null ? "" : message.replace('\n', ' ');
        if (PROBLEMS.contains(type)) {
            LOG.warn("{}{}: {}", type, rev, text);
        } else {
            LOG.info("{}{}: {}", type, rev, text);
        }
    }
}
