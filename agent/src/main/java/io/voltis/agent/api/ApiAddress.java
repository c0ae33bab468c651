package io.voltis.agent.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * {@code <state>/api}: where the running daemon's status API answers, for the CLI on the same
 * device ({@code http://127.0.0.1:9740}; a wildcard listen address is written as loopback).
 * Written 0600 when the API starts, removed when it stops; a file left by a killed daemon
 * points at nothing, which the CLI finds out by asking.
 */
public final class ApiAddress {


    private ApiAddress() {
    }

    static void publish(Path stateDir, String host, int port) {
        String reachable = host.equals("0.0.0.0") || host.equals("::") || host.isEmpty() ? "127.0.0.1" : host;
        String url = "http://" + (reachable.contains(":") ? "[" + reachable + "]" : reachable) + ":" + port;
        Path target = new io.voltis.sync.StateLayout(stateDir).api();
        try {
            Path temp = Files.createTempFile(stateDir, ".api", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(temp, url + "\n", StandardCharsets.UTF_8);
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    static void withdraw(Path stateDir) {
        try {
            Files.deleteIfExists(new io.voltis.sync.StateLayout(stateDir).api());
        } catch (IOException e) {
            // the next start overwrites it; a stale file only makes the CLI ask a dead address once
        }
    }

    /** The base URL the daemon last published, if any (it may have died since). */
    public static Optional<String> read(Path stateDir) {
        try {
            String url = Files.readString(new io.voltis.sync.StateLayout(stateDir).api(), StandardCharsets.UTF_8).strip();
            return url.startsWith("http://") ? Optional.of(url) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
