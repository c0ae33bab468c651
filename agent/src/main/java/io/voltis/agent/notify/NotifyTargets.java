package io.voltis.agent.notify;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.voltis.agent.config.ConfigException;
import io.voltis.model.Durations;
import io.voltis.model.Names;
import io.voltis.sync.store.EventType;
import tools.jackson.databind.JsonNode;

/**
 * Reads the {@code notify:} list of the agent's config file into {@link NotifyTarget}s, every
 * value checked, each problem one line naming the file, the entry and the key; and
 * {@link #secret reads} the secret files, which {@code run} does before it starts (exit 2).
 */
public final class NotifyTargets {

    static final Set<String> KEYS = Set.of("name", "webhook", "hmac-secret-file", "ca-file", "smtp", "smtp-user",
            "smtp-password-file", "from", "to", "command", "events", "min-severity", "reminder", "timeout", "max-age",
            "max-queue");
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration DEFAULT_MAX_AGE = Duration.ofDays(7);
    static final int DEFAULT_MAX_QUEUE = 1000;

    private NotifyTargets() {
    }

    /** The targets of {@code list} (the value of {@code notify:} in {@code file}); an absent list is none. */
    public static List<NotifyTarget> parse(JsonNode list, String file) throws ConfigException {
        if (list == null || list.isNull() || list.isMissingNode()) {
            return List.of();
        }
        if (!list.isArray()) {
            throw new ConfigException(file + ": notify: expected a list of targets (- name: ops, webhook: https://...)");
        }
        List<NotifyTarget> targets = new ArrayList<>();
        Set<String> names = new HashSet<>();
        int i = 0;
        for (JsonNode entry : list) {
            NotifyTarget t = entry(entry, file + ": notify[" + i++ + "]");
            if (!names.add(t.name())) {
                throw new ConfigException(file + ": notify: two targets are named '" + t.name() + "'");
            }
            targets.add(t);
        }
        return List.copyOf(targets);
    }

    private static NotifyTarget entry(JsonNode e, String where) throws ConfigException {
        if (!e.isObject()) {
            throw new ConfigException(where + ": expected a mapping (name: ..., webhook|smtp|command: ...)");
        }
        for (var p : e.properties()) {
            if (!KEYS.contains(p.getKey())) {
                throw new ConfigException(where + ": unknown key '" + p.getKey() + "'" + Names.suggestion(p.getKey(), KEYS));
            }
        }
        String name = text(e, "name", where);
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}")) {
            throw new ConfigException(where + ": name: " + (name == null ? "missing" : "'" + name + "' is not a name")
                    + " (letters, digits, '.', '_', '-'; it labels metrics and status)");
        }
        where = where + " (" + name + ")";
        List<String> kinds = new ArrayList<>();
        for (NotifyTarget.Type t : NotifyTarget.Type.values()) {
            if (e.has(t.word())) {
                kinds.add(t.word());
            }
        }
        if (kinds.size() != 1) {
            throw new ConfigException(where + ": give exactly one of webhook, smtp, command"
                    + (kinds.isEmpty() ? "" : " (not " + String.join(" and ", kinds) + ")"));
        }
        NotifyTarget.Type type = NotifyTarget.Type.valueOf(kinds.get(0).toUpperCase(java.util.Locale.ROOT));
        URI webhook = null;
        URI smtp = null;
        List<String> to = null;
        List<String> command = null;
        String from = null;
        switch (type) {
            case WEBHOOK -> webhook = url(text(e, "webhook", where), where + ": webhook", Set.of("http", "https"));
            case SMTP -> {
                smtp = url(text(e, "smtp", where), where + ": smtp", Set.of("smtp", "smtps"));
                if (smtp.getRawUserInfo() != null) {
                    throw new ConfigException(where + ": smtp: put no user or password in the URL; use smtp-user and"
                            + " smtp-password-file");
                }
                from = text(e, "from", where);
                to = list(e, "to", where);
                if (from == null || !from.contains("@")) {
                    throw new ConfigException(where + ": from: an email address is needed (from: voltis@example.com)");
                }
                if (to.isEmpty() || to.stream().anyMatch(a -> !a.contains("@"))) {
                    throw new ConfigException(where + ": to: a list of email addresses is needed (to: [ops@example.com])");
                }
            }
            case COMMAND -> {
                command = list(e, "command", where);
                if (command.isEmpty() || !command.get(0).startsWith("/")) {
                    throw new ConfigException(where + ": command: an argv whose first word is an absolute path"
                            + " (command: [\"/usr/local/bin/on-voltis-event\"])");
                }
            }
        }
        only(e, type, where);
        Set<String> events = null;
        if (e.has("events")) {
            events = new LinkedHashSet<>();
            for (String k : list(e, "events", where)) {
                if (EventType.of(k).isEmpty()) {
                    throw new ConfigException(where + ": events: '" + k + "' is not an event kind"
                            + Names.suggestion(k, EventType.words()));
                }
                events.add(k);
            }
        }
        Severity min = Severity.INFO;
        String sev = text(e, "min-severity", where);
        if (sev != null) {
            String at = where;
            min = java.util.Arrays.stream(Severity.values()).filter(s -> s.word().equals(sev)).findFirst()
                    .orElseThrow(() -> new ConfigException(at + ": min-severity: '" + sev + "' is not one of " + Severity.words()));
        }
        Duration reminder = duration(e, "reminder", where, null);
        Duration timeout = duration(e, "timeout", where, DEFAULT_TIMEOUT);
        Duration maxAge = duration(e, "max-age", where, DEFAULT_MAX_AGE);
        int maxQueue = DEFAULT_MAX_QUEUE;
        String q = text(e, "max-queue", where);
        if (q != null) {
            try {
                maxQueue = Integer.parseInt(q);
                if (maxQueue < 1 || maxQueue > 100_000) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException x) {
                throw new ConfigException(where + ": max-queue: '" + q + "' is not a whole number from 1 to 100000");
            }
        }
        return new NotifyTarget(name, type, webhook, path(e, "hmac-secret-file", where), path(e, "ca-file", where), smtp,
                text(e, "smtp-user", where), path(e, "smtp-password-file", where), from, to, command, events, min, reminder,
                timeout, maxAge, maxQueue);
    }

    /** The keys of one type used with another are mistakes, not options. */
    private static void only(JsonNode e, NotifyTarget.Type type, String where) throws ConfigException {
        Set<String> webhookOnly = Set.of("hmac-secret-file");
        Set<String> smtpOnly = Set.of("smtp-user", "smtp-password-file", "from", "to");
        for (var p : e.properties()) {
            String k = p.getKey();
            if ((webhookOnly.contains(k) && type != NotifyTarget.Type.WEBHOOK)
                    || (smtpOnly.contains(k) && type != NotifyTarget.Type.SMTP)
                    || (k.equals("ca-file") && type == NotifyTarget.Type.COMMAND)) {
                throw new ConfigException(where + ": " + k + " does not apply to a " + type.word() + " target");
            }
        }
    }

    private static String text(JsonNode e, String key, String where) throws ConfigException {
        JsonNode v = e.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isValueNode()) {
            throw new ConfigException(where + ": " + key + ": expected a single value");
        }
        String s = v.asString().strip();
        return s.isEmpty() ? null : s;
    }

    private static List<String> list(JsonNode e, String key, String where) throws ConfigException {
        JsonNode v = e.get(key);
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (v.isValueNode()) {
            return List.of(v.asString().strip());
        }
        if (!v.isArray()) {
            throw new ConfigException(where + ": " + key + ": expected a list");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode x : v) {
            if (!x.isValueNode()) {
                throw new ConfigException(where + ": " + key + ": expected a list of words");
            }
            out.add(x.asString());
        }
        return out;
    }

    private static URI url(String value, String where, Set<String> schemes) throws ConfigException {
        try {
            URI u = new URI(value);
            if (u.getScheme() == null || !schemes.contains(u.getScheme().toLowerCase(java.util.Locale.ROOT))
                    || u.getHost() == null) {
                throw new URISyntaxException(value, "not " + String.join(" or ", schemes.stream().sorted().toList())
                        + "://host...");
            }
            return u;
        } catch (URISyntaxException | NullPointerException x) {
            throw new ConfigException(where + ": '" + (value == null ? "" : io.voltis.sync.git.Redact.url(value))
                    + "' is not a " + String.join("/", schemes.stream().sorted().toList()) + " URL with a host");
        }
    }

    private static Path path(JsonNode e, String key, String where) throws ConfigException {
        String v = text(e, key, where);
        return v == null ? null : Path.of(v).toAbsolutePath().normalize();
    }

    private static Duration duration(JsonNode e, String key, String where, Duration fallback) throws ConfigException {
        String v = text(e, key, where);
        if (v == null) {
            return fallback;
        }
        try {
            Duration d = Durations.parse(v);
            if (d.isZero()) {
                throw new IllegalArgumentException("'" + v + "' must be longer than 0s");
            }
            return d;
        } catch (IllegalArgumentException x) {
            throw new ConfigException(where + ": " + key + ": " + x.getMessage());
        }
    }

    /**
     * Checks what {@code run} needs before it starts: each secret file readable, one line, not
     * readable by everyone; each CA file a PEM bundle. The first problem, one line.
     */
    public static void check(List<NotifyTarget> targets) throws ConfigException {
        for (NotifyTarget t : targets) {
            if (t.hmacSecretFile() != null) {
                secret(t.hmacSecretFile(), "notify " + t.name() + ": hmac-secret-file");
            }
            if (t.smtpPasswordFile() != null) {
                secret(t.smtpPasswordFile(), "notify " + t.name() + ": smtp-password-file");
            }
            tls(t);
        }
    }

    /** TLS trusting only the CAs of {@code t}'s {@code ca-file}; null when it has none (the JVM's CAs). */
    static javax.net.ssl.SSLContext tls(NotifyTarget t) throws ConfigException {
        return io.voltis.agent.config.CaFiles.context(t.caFile(), "notify " + t.name() + ": ca-file");
    }

    /** The one line of secret file {@code file}; {@code what} names the setting in errors (never the secret). */
    static String secret(Path file, String what) throws ConfigException {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new ConfigException(what + " " + file + " does not exist or is not readable");
        }
        try {
            if (Files.getPosixFilePermissions(file).contains(PosixFilePermission.OTHERS_READ)) {
                throw new ConfigException(what + " " + file + " is readable by everyone; chmod 600 it");
            }
            String text = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (text.isEmpty() || text.contains("\n")) {
                throw new ConfigException(what + " " + file + " must hold one line: the secret");
            }
            return text;
        } catch (IOException | UnsupportedOperationException x) {
            throw new ConfigException("cannot read " + what + " " + file);
        }
    }
}
