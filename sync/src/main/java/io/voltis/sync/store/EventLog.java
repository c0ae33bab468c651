package io.voltis.sync.store;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Writes each event the daemon records as one line of its log (the journal under systemd):
 * {@code <Type> <revision12>: <message>}, at WARN for failures and INFO for the rest, with the
 * event type, the full revision and the reason word also as key-value pairs, which
 * {@code log-format: json} turns into fields. Events happen on transitions only, so this logs
 * nothing on quiet polls and ticks. See docs/decisions/0024-log-lines.md.
 */
public final class EventLog {

    /** NOTE: the logger name that docs/operations.md tells operators to look for. */
    public static final String LOGGER = "io.voltis.events";
    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);
    private static final Pattern LEADING_REASON = Pattern.compile("^([A-Z][A-Za-z]+): ");

    private EventLog() {
    }

    /** Logs one event; never throws. */
    public static void log(EventType type, String revision, String message) {
        String reason = reason(type, message);
        var builder = LOG.atLevel(type.warning() ? Level.WARN : Level.INFO).addKeyValue("event", type.word());
        if (revision != null) {
            builder = builder.addKeyValue("revision", revision);
        }
        if (reason != null) {
            builder = builder.addKeyValue("reason", reason);
        }
        builder.log(line(type.word(), revision, message));
    }

    /** The text of the line. */
    static String line(String type, String revision, String message) {
        String rev = revision == null ? "" : " " + revision.substring(0, Math.min(12, revision.length()));
        String text = message == null ? "" : message.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
        return type + rev + (text.isEmpty() ? "" : ": " + text);
    }

    /** The reason word the message begins with ("GitUnreachable: ..."), or the type's own; null when none. */
    public static String reason(EventType type, String message) {
        if (type.reason() != null) {
            return type.reason();
        }
        if (message == null || !type.warning()) {
            return null;
        }
        Matcher m = LEADING_REASON.matcher(message);
        return m.find() ? m.group(1) : null;
    }
}
