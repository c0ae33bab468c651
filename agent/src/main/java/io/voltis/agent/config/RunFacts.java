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
import java.util.Optional;
import java.util.Properties;

/**
 * {@code <state>/agent.facts}: what the agent last ran with that other commands need and may
 * not be told (settings given as flags to {@code run}): the hostname, so {@code pin} says
 * "pinned edge-01", and the reconcile interval, so it can say "within 5 s".
 */
public record RunFacts(String hostname, Duration reconcileInterval) {

    /** NOTE: the file name under the state directory. */
    public static final String FILE = "agent.facts";

    /** Best effort, and only when something changed: a restart does not write to flash. */
    public void write(Path stateDir) {
        if (read(stateDir).filter(this::equals).isPresent()) {
            return;
        }
        Properties p = new Properties();
        p.setProperty("hostname", hostname);
        p.setProperty("reconcile-interval-ms", String.valueOf(reconcileInterval.toMillis()));
        try {
            StringWriter text = new StringWriter();
            p.store(text, "written by voltis-agent run; read by the other commands");
            Path temp = Files.createTempFile(stateDir, ".agent", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(temp, text.toString(), StandardCharsets.UTF_8);
            Files.move(temp, stateDir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // the commands then fall back to their own settings
        }
    }

    public static Optional<RunFacts> read(Path stateDir) {
        try (Reader in = Files.newBufferedReader(stateDir.resolve(FILE), StandardCharsets.UTF_8)) {
            Properties p = new Properties();
            p.load(in);
            String host = p.getProperty("hostname");
            String ms = p.getProperty("reconcile-interval-ms");
            return host == null || ms == null ? Optional.empty()
                    : Optional.of(new RunFacts(host, Duration.ofMillis(Long.parseLong(ms))));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }
}
