package io.voltis.agent.notify;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * One {@code notify:} entry of the agent's config file (docs/notifications.md), checked: exactly
 * one of {@code webhook}, {@code smtp}, {@code command}; the others' fields are null.
 *
 * @param events      the kinds of event it wants; null: the default (every failure, and recoveries)
 * @param reminder    how long a persisting failure waits before it is told again; null: never
 * @param maxAge      a notice older than this is dropped rather than delivered
 * @param maxQueue    at most this many notices wait; the oldest go first
 */
public record NotifyTarget(String name, Type type, URI webhook, Path hmacSecretFile, Path caFile, URI smtp,
                           String smtpUser, Path smtpPasswordFile, String from, List<String> to, List<String> command,
                           Set<String> events, Severity minSeverity, Duration reminder, Duration timeout, Duration maxAge,
                           int maxQueue) {

    /** How a target is told. NOTE: the words are the config keys. */
    public enum Type {
        WEBHOOK("webhook"), SMTP("smtp"), COMMAND("command");

        private final String word;

        Type(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }
    }

    public NotifyTarget {
        to = to == null ? null : List.copyOf(to);
        command = command == null ? null : List.copyOf(command);
        events = events == null ? null : Set.copyOf(events);
    }

    /** Where it goes, without any credential: for status, logs and {@code notify test}. */
    public String address() {
        return switch (type) {
            // an incoming webhook's path is often its secret (Slack, Teams): only the server is shown
            case WEBHOOK -> webhook.getScheme() + "://" + webhook.getHost() + (webhook.getPort() < 0 ? "" : ":" + webhook.getPort())
                    + "/…";
            case SMTP -> io.voltis.sync.git.Redact.url(smtp.toString()) + " to " + String.join(", ", to);
            case COMMAND -> command.get(0);
        };
    }
}
