package io.voltis.agent.runtime.systemd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import io.voltis.agent.runtime.ServiceDefinition;
import io.voltis.model.RestartPolicy;
import io.voltis.model.ServiceState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The text of the unit files the systemd runtime writes. systemd is not PID 1 on CI, so these
 * tests compare text with expected files and, where the host has {@code systemd-analyze}, let
 * systemd's own parser check it offline; the runtime tests use a fake {@code systemctl} script.
 */
class UnitFileTest {

    @TempDir
    Path temp;

    @Test
    void trickyArguments_renderExactlyTheExpectedUnit() throws Exception {
        assertThat(UnitFile.render(tricky(Path.of("/opt/gate way/bin/gw"),
                Path.of("/var/lib/voltis/work/rev 3f2a 100%/workloads/sensor-gateway"))))
                .isEqualTo(FakeSystemd.resource("tricky-args.service"));
    }

    @Test
    void executableWithASlash_isResolvedInTheWorkingDirectory_bareNameIsLeftToSystemd() {
        ServiceDefinition relative = definition(List.of("bin/../scripts/run.sh", "x"), Path.of("/srv/work/gw"));
        ServiceDefinition bare = definition(List.of("sh", "scripts/run.sh"), Path.of("/srv/work/gw"));

        assertThat(UnitFile.render(relative)).contains("\nExecStart=\"/srv/work/gw/scripts/run.sh\" \"x\"\n");
        assertThat(UnitFile.render(bare)).contains("\nExecStart=\"sh\" \"scripts/run.sh\"\n");
    }

    @Test
    void everyUnit_hasAStartLimitAndAFewSecondsBetweenRestarts_noDependencyLinesWithoutDependencies() {
        String unit = UnitFile.render(definition(List.of("/bin/true"), Path.of("/srv")));

        assertThat(unit).contains("\nStartLimitIntervalSec=60\nStartLimitBurst=5\n\n[Service]\n", "\nRestart=always\nRestartSec=5s\n")
                .doesNotContain("StartLimitIntervalSec=0", "After=", "Wants=");
    }

    @Test
    void dependencies_areAfterAndWants_sortedOnce_asUnitsOfTheSameWorkload() {
        ServiceDefinition d = new ServiceDefinition("gw", "gateway", List.of("/bin/true"), Map.of(), Path.of("/srv"),
                RestartPolicy.ALWAYS, ServiceState.RUNNING, List.of("mqtt", "broker", "mqtt"), null, "fp");

        assertThat(UnitFile.render(d)).contains("[Unit]\nDescription=Voltis gw/gateway\n"
                + "After=voltis-gw-broker.service voltis-gw-mqtt.service\nWants=voltis-gw-broker.service voltis-gw-mqtt.service\n");
    }

    @Test
    void fingerprintOf_readsTheMarkerBack() {
        assertThat(UnitFile.fingerprintOf(UnitFile.render(definition(List.of("/bin/true"), Path.of("/srv"))))).isEqualTo("fp");
        assertThat(UnitFile.fingerprintOf("[Unit]\nDescription=by hand\n")).isNull();
    }

    @Test
    void valuesAUnitFileCannotHold_areRefusedWithTheReason() {
        assertThatThrownBy(() -> UnitFile.render(definition(List.of("/bin/echo", "a\0b"), Path.of("/srv"))))
                .hasMessage("'a?b' has a NUL character, which no process argument can hold");
        assertThatThrownBy(() -> UnitFile.render(definition(List.of("/bin/echo"), Path.of("/srv/line\nbreak"))))
                .hasMessage("working directory '/srv/line?break' has a control character, which a unit file cannot hold");
        assertThatThrownBy(() -> UnitFile.unitName("gw", "bad name"))
                .hasMessage("'voltis-gw-bad name.service' is not a valid systemd unit name");
    }

    @Test
    void trickyUnit_passesSystemdAnalyzeVerify() throws Exception {
        Optional<Path> analyze = Stream.of("/usr/bin/systemd-analyze", "/bin/systemd-analyze").map(Path::of)
                .filter(Files::isExecutable).findFirst();
        assumeTrue(analyze.isPresent(), "systemd-analyze is not installed here, so systemd's own parser cannot check the unit");
        // verify checks that the executable exists after %-specifiers are undone: give it a real one with a space and a %.
        Path executable = temp.resolve("bin dir/gate%way");
        Files.createDirectories(executable.getParent());
        Files.writeString(executable, "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(executable, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path unit = temp.resolve("voltis-sensor-gateway-gateway.service");
        Files.writeString(unit, UnitFile.render(tricky(executable, temp.resolve("work dir 100%"))));

        Process verify = new ProcessBuilder(analyze.get().toString(), "verify", unit.toString()).redirectErrorStream(true).start();
        String output = new String(verify.getInputStream().readAllBytes());
        int exit = verify.waitFor();

        assertThat(exit).as(output).isZero();
        assertThat(output.lines().filter(line -> line.contains(unit.getFileName().toString())))
                .as("warnings about our unit").isEmpty();
    }

    private static ServiceDefinition tricky(Path executable, Path workingDir) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("VOLTIS_ROOT", "/");
        env.put("LOG_LEVEL", "info");
        env.put("VOLTIS_REVISION", "3f2a9c1");
        env.put("GREETING", "hello \"world\" 50% $USER \\o/");
        return new ServiceDefinition("sensor-gateway", "gateway",
                List.of(executable.toString(), "--name", "my gateway", "--quote", "say \"hi\"", "--percent", "100%",
                        "--dollar", "$HOME and ${PATH}", "--backslash", "C:\\temp\\", "--single", "it's", ";",
                        "tab\there", "new\nline"),
                env, workingDir, RestartPolicy.ON_FAILURE, ServiceState.RUNNING, List.of("broker", "db-migrate"), null,
                "sha256:0f3a9c");
    }

    private static ServiceDefinition definition(List<String> command, Path workingDir) {
        return new ServiceDefinition("gw", "gateway", command, Map.of(), workingDir, RestartPolicy.ALWAYS, ServiceState.RUNNING,
                List.of(), null, "fp");
    }
}
