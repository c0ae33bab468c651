package io.voltis.agent.runtime.systemd;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import io.voltis.agent.runtime.ServiceDefinition;
import io.voltis.model.RestartPolicy;
import io.voltis.model.ServiceState;

/**
 * A host whose systemd is two shell scripts: systemd is not PID 1 on CI, so {@code bin/systemctl}
 * and {@code bin/journalctl} (from {@code src/test/resources/systemd/}) record every call in
 * {@code state/calls} and answer from files this class writes. The runtime reaches them through
 * the real {@link Systemctl#at} and {@link Journal#at}, so the process-running code is the real one.
 */
final class FakeSystemd {

    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-22T12:00:00Z"), ZoneOffset.UTC);

    final Path unitDir;
    private final Path bin;
    private final Path state;

    FakeSystemd(Path root) {
        this.unitDir = root.resolve("etc/systemd/system");
        this.bin = root.resolve("bin");
        this.state = root.resolve("state");
        try {
            Files.createDirectories(unitDir);
            Files.createDirectories(bin);
            Files.createDirectories(state);
            install("fake-systemctl", bin.resolve("systemctl"));
            install("fake-journalctl", bin.resolve("journalctl"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    SystemdRuntime runtime() {
        return new SystemdRuntime(unitDir, Systemctl.at(bin.resolve("systemctl")), Journal.at(bin.resolve("journalctl")), CLOCK);
    }

    static ServiceDefinition service(String workload, String name, ServiceState state, RestartPolicy restart, String fingerprint) {
        return new ServiceDefinition(workload, name, List.of("/usr/bin/gateway", "--config", "etc/gateway.conf"),
                Map.of("LOG_LEVEL", "info", "VOLTIS_WORKLOAD", workload), Path.of("/var/lib/voltis/work/" + workload),
                restart, state, List.of(), null, fingerprint);
    }

    static ServiceDefinition running(String name, String fingerprint) {
        return service("gw", name, ServiceState.RUNNING, RestartPolicy.ALWAYS, fingerprint);
    }

    /** Every call since the last {@link #clearCalls}, one line each: {@code systemctl enable --now x.service}. */
    List<String> calls() throws IOException {
        Path calls = state.resolve("calls");
        return Files.exists(calls) ? Files.readAllLines(calls) : List.of();
    }

    void clearCalls() throws IOException {
        Files.deleteIfExists(state.resolve("calls"));
    }

    void isActiveAnswers(String unit, String answer) throws IOException {
        Files.writeString(state.resolve("active-" + unit), answer + "\n");
    }

    void showAnswersFixture(String unit, String fixture) throws IOException {
        Files.writeString(state.resolve("show-" + unit), resource("show/" + fixture));
    }

    void journalHas(String unit, String... lines) throws IOException {
        Files.writeString(state.resolve("journal-" + unit), String.join("\n", lines) + "\n");
    }

    void failVerb(String verb, String stderr) throws IOException {
        Files.writeString(state.resolve("fail-" + verb), stderr + "\n");
    }

    void healVerb(String verb) throws IOException {
        Files.deleteIfExists(state.resolve("fail-" + verb));
    }

    static String resource(String name) throws IOException {
        try (InputStream in = FakeSystemd.class.getResourceAsStream("/systemd/" + name)) {
            if (in == null) {
                throw new IOException("no test resource systemd/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void install(String resource, Path target) throws IOException {
        try (InputStream in = FakeSystemd.class.getResourceAsStream("/systemd/" + resource)) {
            if (in == null) {
                throw new IOException("no test resource systemd/" + resource);
            }
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
