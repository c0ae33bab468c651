package io.voltis.agent.hints;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The check-now hint settings (docs/configuration.md): the MQTT broker to subscribe to
 * ({@code mqtt-url}, null when none), the topics (the device's own and the fleet's), the broker
 * user and the files with its password and CA, and {@code hint-spread}. Checked by the config
 * loader; the password is read from its file at each connection, never held here.
 */
public record HintSettings(String mqttUrl, List<String> topics, String username, Path passwordFile, Path caFile,
                           Duration spread) {

    /** NOTE: docs/configuration.md. */
    public static final Duration DEFAULT_SPREAD = Duration.ofSeconds(30);
    public static final String FLEET_TOPIC = "voltis/all/sync";

    /** No broker; the spread's default (the API's and the CLI's hints do not wait for it). */
    public static final HintSettings OFF = new HintSettings(null, List.of(), null, null, null, DEFAULT_SPREAD);

    public HintSettings {
        topics = List.copyOf(topics);
    }

    /** The device's own topic when {@code mqtt-topic} is not set. */
    public static String defaultTopic(String hostname) {
        return "voltis/" + hostname + "/sync";
    }

    /**
     * The files the daemon will read, checked at its start (a bad setting exits 2, no restart
     * loop): the password file there, readable, not by everyone; the CA bundle parses.
     */
    public void check() throws io.voltis.agent.config.ConfigException {
        if (passwordFile != null) {
            try {
                if (java.nio.file.Files.getPosixFilePermissions(passwordFile)
                        .contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ)) {
                    throw new io.voltis.agent.config.ConfigException("mqtt-password-file " + passwordFile
                            + " is readable by everyone: chmod 600 (or 640 for a group) it");
                }
                java.nio.file.Files.readAllBytes(passwordFile);
            } catch (java.nio.file.NoSuchFileException e) {
                throw new io.voltis.agent.config.ConfigException("mqtt-password-file: cannot read " + passwordFile + ": no such file");
            } catch (java.io.IOException e) {
                throw new io.voltis.agent.config.ConfigException("mqtt-password-file: cannot read " + passwordFile + ": "
                        + e.getClass().getSimpleName().replace("Exception", ""));
            }
        }
        io.voltis.agent.config.CaFiles.context(caFile, "mqtt-ca-file");
    }

    public boolean mqtt() {
        return mqttUrl != null;
    }

    @Override
    public String toString() {
        return "HintSettings[mqttUrl=" + mqttUrl + ", topics=" + topics + ", username=" + username + ", spread=" + spread + "]";
    }
}
