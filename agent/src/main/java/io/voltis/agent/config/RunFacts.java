package io.voltis.agent.config;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import io.voltis.model.Durations;

/**
 * {@code <state>/agent.facts}: the settings the daemon runs with that another command needs to
 * act like it and may not be told (they may have come as flags to {@code run}): the hostname
 * ("pinned edge-01"), the reconcile interval ("within 5 s"), the root, runtime, branch and path
 * ({@code plan} compares what the daemon would write under its root, in its branch and path),
 * and the API's address and token file (a path; never the token), and the trust policy (pin and
 * rollback refuse what does not verify under {@code verify: enforce}). {@link ConfigLoader#loadForCommands} puts them between the config file
 * and the command's own flags. Keys are the settings' names (docs/configuration.md).
 */
public record RunFacts(Map<String, String> settings) {


    /** NOTE: the settings written, in the order they are written; names as ConfigLoader.KEYS. */
    static final List<String> KEYS = List.of("hostname", "reconcile-interval", "root", "runtime", "branch", "path", "listen",
            "api-token-file", "verify", "verify-scope", "allowed-signers", "gpg-keys", "revoked-keys");

    public RunFacts {
        settings = Map.copyOf(settings);
    }

    /** What {@code config} makes the daemon run with. */
    public static RunFacts of(AgentConfig config) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("hostname", config.hostname());
        s.put("reconcile-interval", Durations.format(config.reconcileInterval()));
        s.put("root", config.root().toAbsolutePath().normalize().toString());
        s.put("runtime", config.runtime().word());
        s.put("branch", config.branch());
        s.put("path", config.path());
        s.put("listen", config.listen());
        if (config.apiTokenFile() != null) {
            s.put("api-token-file", config.apiTokenFile().toAbsolutePath().toString());
        }
        var trust = config.trust();
        if (trust.on()) {
            s.put("verify", trust.mode().word());
            s.put("verify-scope", trust.scope().name().toLowerCase(java.util.Locale.ROOT));
            putPath(s, "allowed-signers", trust.allowedSigners());
            putPath(s, "gpg-keys", trust.gpgKeys());
            putPath(s, "revoked-keys", trust.revokedKeys());
        }
        return new RunFacts(s);
    }

    private static void putPath(Map<String, String> s, String key, Path path) {
        if (path != null) {
            s.put(key, path.toAbsolutePath().toString());
        }
    }

    public Optional<String> hostname() {
        return Optional.ofNullable(settings.get("hostname"));
    }

    public Optional<Duration> reconcileInterval() {
        try {
            return Optional.ofNullable(settings.get("reconcile-interval")).map(Durations::parse);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Best effort, 0600, and only when something changed: a restart does not write to flash. */
    public void write(Path stateDir) {
        if (read(stateDir).filter(this::equals).isPresent()) {
            return;
        }
        Properties p = new Properties();
        KEYS.stream().filter(settings::containsKey).forEach(k -> p.setProperty(k, settings.get(k)));
        try {
            StringWriter text = new StringWriter();
            p.store(text, "written by voltis-agent run; read by the other commands");
            Path temp = Files.createTempFile(stateDir, ".agent", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(temp, text.toString(), StandardCharsets.UTF_8);
            Files.move(temp, new io.voltis.sync.StateLayout(stateDir).facts(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // the commands then fall back to their own settings
        }
    }

    /**
     * The facts the daemon last wrote; empty when there are none or they cannot be read. A file
     * written by an older agent (hostname and {@code reconcile-interval-ms} only) still reads.
     */
    public static Optional<RunFacts> read(Path stateDir) {
        try (Reader in = Files.newBufferedReader(new io.voltis.sync.StateLayout(stateDir).facts(), StandardCharsets.UTF_8)) {
            Properties p = new Properties();
            p.load(in);
            Map<String, String> s = new LinkedHashMap<>();
            for (String k : KEYS) {
                String v = p.getProperty(k);
                if (v != null) {
                    s.put(k, v);
                }
            }
            String oldMs = p.getProperty("reconcile-interval-ms");
            if (oldMs != null && !s.containsKey("reconcile-interval") && oldMs.matches("\\d{1,9}")) {
                s.put("reconcile-interval", oldMs + "ms");
            }
            return s.isEmpty() ? Optional.empty() : Optional.of(new RunFacts(s));
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
