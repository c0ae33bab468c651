package io.voltis.agent.runtime.systemd;

import static io.voltis.agent.runtime.systemd.FakeSystemd.running;
import static io.voltis.agent.runtime.systemd.FakeSystemd.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.voltis.agent.runtime.ServiceDefinition;
import io.voltis.agent.runtime.ServiceStatus;
import io.voltis.model.RestartPolicy;
import io.voltis.model.ServiceState;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands the systemd runtime sends and the unit files it leaves. systemd is not PID 1 on
 * CI, so a fake {@code systemctl} script records its calls and answers {@code is-active} and
 * {@code show} from files the test writes (see {@link FakeSystemd}).
 */
class SystemdRuntimeTest {

    private static final String UNIT = "voltis-gw-gateway.service";

    @TempDir
    Path root;
    private FakeSystemd systemd;
    private SystemdRuntime runtime;

    @BeforeEach
    void setUp() {
        systemd = new FakeSystemd(root);
        runtime = systemd.runtime();
    }

    @Test
    void firstApply_writesUnitThenReloadsAndEnablesNow() throws Exception {
        runtime.apply(running("gateway", "fp-1"));

        assertThat(systemd.calls()).containsExactly("systemctl daemon-reload", "systemctl enable --now " + UNIT);
        Path unit = systemd.unitDir.resolve(UNIT);
        assertThat(Files.readString(unit))
                .contains("# voltis-fingerprint: fp-1\n", "ExecStart=\"/usr/bin/gateway\" \"--config\" \"etc/gateway.conf\"\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(unit))).isEqualTo("rw-r--r--");
        try (var files = Files.list(systemd.unitDir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly(UNIT); // no temporary or pending file left
        }
        assertThat(runtime.names()).containsExactly("gateway");
        systemd.showAnswersFixture(UNIT, "active-running.txt");
        assertThat(runtime.status("gateway").orElseThrow().message()).isNull();
    }

    @Test
    void aServiceWhoseEnvHoldsASecret_getsAUnitOnlyRootReads() throws Exception {
        ServiceDefinition plain = running("gateway", "fp-1");
        runtime.apply(new ServiceDefinition(plain.workload(), plain.name(), plain.command(),
                java.util.Map.of("DB_PASSWORD", "from-a-secret"), plain.workingDir(), plain.restart(), plain.state(),
                plain.dependsOn(), plain.health(), "fp-2", true));

        Path unit = systemd.unitDir.resolve(UNIT);
        assertThat(Files.readString(unit)).contains("Environment=\"DB_PASSWORD=from-a-secret\"\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(unit))).isEqualTo("rw-------");
        try (var files = Files.list(systemd.unitDir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly(UNIT);
        }

        runtime.apply(running("gateway", "fp-3")); // the secret is gone: readable by all again
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(unit))).isEqualTo("rw-r--r--");
    }

    @Test
    void sameFingerprintAgain_onlyAsksIsActiveAndLeavesTheFileAlone() throws Exception {
        runtime.apply(running("gateway", "fp-1"));
        Path unit = systemd.unitDir.resolve(UNIT);
        FileTime old = FileTime.from(Instant.parse("2020-01-01T00:00:00Z"));
        Files.setLastModifiedTime(unit, old);
        systemd.isActiveAnswers(UNIT, "active");
        systemd.clearCalls();

        runtime.apply(running("gateway", "fp-1"));

        assertThat(systemd.calls()).containsExactly("systemctl is-active " + UNIT);
        assertThat(Files.getLastModifiedTime(unit)).isEqualTo(old);
    }

    @Test
    void sameFingerprint_unitFailedAfterThisAgentStartedIt_isLeftFailed_noRestartLoopThroughTheAgent() throws Exception {
        runtime.apply(running("gateway", "fp-1"));
        systemd.isActiveAnswers(UNIT, "failed"); // systemd gave up: start-limit-hit
        systemd.clearCalls();

        for (int tick = 0; tick < 3; tick++) {
            runtime.apply(running("gateway", "fp-1"));
        }

        assertThat(systemd.calls()).containsOnly("systemctl is-active " + UNIT).hasSize(3);
    }

    @Test
    void sameFingerprint_unitFailedWhenTheAgentStarts_isResetAndStartedOnce() throws Exception {
        runtime.apply(running("gateway", "fp-1"));
        systemd.isActiveAnswers(UNIT, "failed");
        systemd.clearCalls();

        SystemdRuntime afterAgentRestart = systemd.runtime();
        afterAgentRestart.apply(running("gateway", "fp-1"));
        assertThat(systemd.calls()).as("a new agent process (or a boot) gives it a fresh start limit")
                .containsExactly("systemctl is-active " + UNIT, "systemctl reset-failed " + UNIT, "systemctl enable --now " + UNIT);

        systemd.clearCalls();
        afterAgentRestart.apply(running("gateway", "fp-1"));
        assertThat(systemd.calls()).as("failed again: left to its status").containsExactly("systemctl is-active " + UNIT);
    }

    @Test
    void sameFingerprint_stoppedFromOutsideUnderRestartAlways_isStartedAgain() throws Exception {
        runtime.apply(running("gateway", "fp-1"));
        systemd.isActiveAnswers(UNIT, "inactive"); // systemctl stop by hand: Restart=always never leaves it inactive
        systemd.clearCalls();

        runtime.apply(running("gateway", "fp-1"));

        assertThat(systemd.calls()).containsExactly("systemctl is-active " + UNIT, "systemctl enable --now " + UNIT);
    }

    @Test
    void sameFingerprintNewText_onlyReloads_theProcessKeepsRunning() throws Exception {
        runtime.apply(running("gateway", "fp-1"));
        Path unit = systemd.unitDir.resolve(UNIT);
        // as an older agent wrote it: no start limit, restarts 1 s apart
        Files.writeString(unit, Files.readString(unit).replaceAll("StartLimitIntervalSec=60\n", "StartLimitIntervalSec=0\n")
                .replace("StartLimitBurst=5\n", "").replace("RestartSec=5s\n", "RestartSec=1\n"));
        systemd.isActiveAnswers(UNIT, "active");
        systemd.clearCalls();

        SystemdRuntime upgradedAgent = systemd.runtime();
        upgradedAgent.apply(running("gateway", "fp-1"));

        assertThat(systemd.calls()).containsExactly("systemctl daemon-reload", "systemctl is-active " + UNIT);
        assertThat(Files.readString(unit)).contains("StartLimitIntervalSec=60\n", "StartLimitBurst=5\n", "RestartSec=5s\n");
        try (var files = Files.list(systemd.unitDir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly(UNIT); // the pending marker is gone
        }
    }

    @Test
    void dependsOnChanged_unitGetsAfterAndWants_reloadedNotRestarted() throws Exception {
        runtime.apply(running("gateway", "fp-1"));
        systemd.isActiveAnswers(UNIT, "active");
        systemd.clearCalls();

        ServiceDefinition same = running("gateway", "fp-1");
        runtime.apply(new ServiceDefinition(same.workload(), same.name(), same.command(), same.env(), same.workingDir(),
                same.restart(), same.state(), List.of("broker"), same.health(), same.fingerprint()));

        assertThat(systemd.calls()).containsExactly("systemctl daemon-reload", "systemctl is-active " + UNIT);
        assertThat(Files.readString(systemd.unitDir.resolve(UNIT)))
                .contains("\nAfter=voltis-gw-broker.service\nWants=voltis-gw-broker.service\n");
    }

    @Test
    void sameFingerprint_exitedUnderRestartNever_isLeftAsItsPolicySays() throws Exception {
        runtime.apply(service("gw", "gateway", ServiceState.RUNNING, RestartPolicy.NEVER, "fp-1"));
        systemd.isActiveAnswers(UNIT, "failed");
        systemd.clearCalls();

        runtime.apply(service("gw", "gateway", ServiceState.RUNNING, RestartPolicy.NEVER, "fp-1"));

        assertThat(systemd.calls()).containsExactly("systemctl is-active " + UNIT);
    }

    @Test
    void changedFingerprint_rewritesUnitReloadsAndRestarts() throws Exception {
        runtime.apply(running("gateway", "fp-1"));
        systemd.isActiveAnswers(UNIT, "active");
        systemd.clearCalls();

        runtime.apply(running("gateway", "fp-2"));

        assertThat(systemd.calls()).as("a new revision gets a fresh start limit, even after systemd gave up on the last")
                .containsExactly("systemctl daemon-reload", "systemctl enable " + UNIT, "systemctl reset-failed " + UNIT,
                        "systemctl restart " + UNIT);
        assertThat(Files.readString(systemd.unitDir.resolve(UNIT))).contains("# voltis-fingerprint: fp-2\n");
    }

    @Test
    void stateStopped_disablesNowOnceThenOnlyWatches() throws Exception {
        runtime.apply(running("gateway", "fp-1"));
        systemd.isActiveAnswers(UNIT, "active");
        systemd.clearCalls();

        runtime.apply(service("gw", "gateway", ServiceState.STOPPED, RestartPolicy.ALWAYS, "fp-1"));
        assertThat(systemd.calls()).containsExactly("systemctl is-active " + UNIT, "systemctl disable --now " + UNIT);

        systemd.isActiveAnswers(UNIT, "inactive");
        systemd.clearCalls();
        runtime.apply(service("gw", "gateway", ServiceState.STOPPED, RestartPolicy.ALWAYS, "fp-1"));
        assertThat(systemd.calls()).containsExactly("systemctl is-active " + UNIT);

        systemd.clearCalls();
        runtime.apply(running("gateway", "fp-1"));
        assertThat(systemd.calls()).as("running again: enabled and started, though nothing in the unit changed")
                .containsExactly("systemctl is-active " + UNIT, "systemctl enable --now " + UNIT);
    }

    @Test
    void stateStopped_unitThatHadFailed_isDisabledAndNoLongerShownFailed() throws Exception {
        runtime.apply(running("gateway", "fp-1"));
        systemd.isActiveAnswers(UNIT, "failed");
        systemd.clearCalls();

        runtime.apply(service("gw", "gateway", ServiceState.STOPPED, RestartPolicy.ALWAYS, "fp-1"));

        assertThat(systemd.calls()).containsExactly("systemctl is-active " + UNIT, "systemctl disable --now " + UNIT,
                "systemctl reset-failed " + UNIT);
    }

    @Test
    void remove_disablesNowDeletesTheFileAndReloads() throws Exception {
        runtime.apply(running("gateway", "fp-1"));
        systemd.clearCalls();

        runtime.remove("gateway");

        assertThat(systemd.calls()).containsExactly("systemctl disable --now " + UNIT, "systemctl daemon-reload");
        assertThat(systemd.unitDir.resolve(UNIT)).doesNotExist();
        assertThat(runtime.names()).isEmpty();
        assertThat(runtime.status("gateway")).isEmpty();
    }

    @Test
    void systemctlFailing_statusSaysWhy_noException_andTheChangeIsRedoneEvenAfterAnAgentRestart() throws Exception {
        runtime.apply(running("gateway", "fp-1"));
        systemd.failVerb("restart", "Job for voltis-gw-gateway.service failed because the control process exited with error code.");
        systemd.clearCalls();

        assertThatCode(() -> runtime.apply(running("gateway", "fp-2"))).doesNotThrowAnyException();

        ServiceStatus status = runtime.status("gateway").orElseThrow();
        assertThat(status.message()).isEqualTo("systemctl restart " + UNIT + " failed (exit 1): "
                + "Job for voltis-gw-gateway.service failed because the control process exited with error code.");

        systemd.healVerb("restart");
        systemd.isActiveAnswers(UNIT, "active");
        systemd.clearCalls();
        SystemdRuntime afterAgentRestart = systemd.runtime(); // the .pending marker is on disk, not in memory
        afterAgentRestart.apply(running("gateway", "fp-2"));

        assertThat(systemd.calls()).as("the unit file is already new, but it was never restarted")
                .containsExactly("systemctl daemon-reload", "systemctl enable " + UNIT, "systemctl reset-failed " + UNIT,
                        "systemctl restart " + UNIT);
        systemd.showAnswersFixture(UNIT, "active-running.txt");
        assertThat(afterAgentRestart.status("gateway").orElseThrow().message()).isNull();
        systemd.clearCalls();
        afterAgentRestart.apply(running("gateway", "fp-2"));
        assertThat(systemd.calls()).containsExactly("systemctl is-active " + UNIT);
    }

    @Test
    void systemctlFailingEverything_statusSaysSoAndRemoveKeepsTheUnitToRetry() throws Exception {
        systemd.failVerb("daemon-reload", "Failed to connect to bus: No such file or directory");
        systemd.failVerb("disable", "Failed to connect to bus: No such file or directory");
        systemd.failVerb("show", "Failed to connect to bus: No such file or directory");

        assertThatCode(() -> runtime.apply(running("gateway", "fp-1"))).doesNotThrowAnyException();
        ServiceStatus status = runtime.status("gateway").orElseThrow();
        assertThat(status.actual()).isEqualTo(ServiceStatus.Actual.FAILED);
        assertThat(status.message())
                .isEqualTo("systemctl daemon-reload failed (exit 1): Failed to connect to bus: No such file or directory");
        assertThat(status.since()).as("systemd cannot say, so: when the agent saw it fail").isEqualTo(FakeSystemd.CLOCK.instant());

        assertThatCode(() -> runtime.remove("gateway")).doesNotThrowAnyException();
        assertThat(systemd.unitDir.resolve(UNIT)).as("a unit that may still run is not orphaned").exists();
        assertThat(runtime.names()).containsExactly("gateway");
        assertThat(runtime.status("gateway").orElseThrow().message())
                .isEqualTo("systemctl disable --now " + UNIT + " failed (exit 1): Failed to connect to bus: No such file or directory");
    }

    @Test
    void missingSystemctlBinary_statusSaysSo() throws Exception {
        SystemdRuntime noSystemd = new SystemdRuntime(systemd.unitDir, Systemctl.at(root.resolve("nowhere/systemctl")),
                Journal.at(root.resolve("nowhere/journalctl")), FakeSystemd.CLOCK);

        noSystemd.apply(running("gateway", "fp-1"));

        assertThat(noSystemd.status("gateway").orElseThrow().message())
                .startsWith("systemctl daemon-reload failed (exit 127): cannot run " + root.resolve("nowhere/systemctl"));
    }

    @Test
    void newRuntimeObject_findsTheUnitsItHadAndIgnoresOthers() throws Exception {
        runtime.apply(running("gateway", "fp-1"));
        runtime.apply(running("broker", "fp-1"));
        Files.writeString(systemd.unitDir.resolve("voltis-agent.service"), "[Unit]\nDescription=The agent itself\n");
        Files.writeString(systemd.unitDir.resolve("voltis-gw-handmade.service"), "[Unit]\nDescription=Written by a person\n");
        Files.writeString(systemd.unitDir.resolve("voltis-gw-moved.service"),
                "# voltis-workload: other\n# voltis-service: moved\n[Unit]\n"); // markers that do not give this name
        systemd.showAnswersFixture(UNIT, "active-running.txt");
        systemd.clearCalls();

        SystemdRuntime restarted = systemd.runtime();

        assertThat(restarted.names()).containsExactly("broker", "gateway");
        ServiceStatus gateway = restarted.status("gateway").orElseThrow();
        assertThat(gateway.desired()).as("from the unit's enablement until the first apply").isEqualTo("running");
        assertThat(gateway.actual()).isEqualTo(ServiceStatus.Actual.RUNNING);
        assertThat(restarted.statuses()).extracting(ServiceStatus::name).containsExactly("broker", "gateway");
        assertThat(systemd.calls()).noneMatch(call -> call.contains("voltis-agent.service"));
    }

    @Test
    void serviceMovedToAnotherWorkload_oldUnitIsStoppedAndDeleted() throws Exception {
        runtime.apply(running("gateway", "fp-1"));
        systemd.clearCalls();

        SystemdRuntime restarted = systemd.runtime();
        restarted.apply(service("plant-b", "gateway", ServiceState.RUNNING, RestartPolicy.ALWAYS, "fp-1"));

        assertThat(systemd.calls()).containsExactly("systemctl disable --now " + UNIT, "systemctl daemon-reload",
                "systemctl enable --now voltis-plant-b-gateway.service");
        assertThat(systemd.unitDir.resolve(UNIT)).doesNotExist();
        assertThat(restarted.names()).containsExactly("gateway");
    }

    @Test
    void definitionSystemdCannotRun_statusSaysWhyAndNothingIsWritten() throws Exception {
        runtime.apply(new ServiceDefinition("gw", "gateway", List.of("/opt/$app/bin/gw"), Map.of(), Path.of("/srv"),
                RestartPolicy.ALWAYS, ServiceState.RUNNING, List.of(), null, "fp-1"));

        assertThat(systemd.calls()).isEmpty();
        assertThat(systemd.unitDir.resolve(UNIT)).doesNotExist();
        ServiceStatus status = runtime.status("gateway").orElseThrow();
        assertThat(status.actual()).isEqualTo(ServiceStatus.Actual.FAILED);
        assertThat(status.message()).isEqualTo("cannot write a systemd unit for gateway: "
                + "executable '/opt/$app/bin/gw' contains '$', which systemd cannot run as written");
    }

    @Test
    void close_stopsNothing() throws Exception {
        runtime.apply(running("gateway", "fp-1"));
        systemd.clearCalls();

        runtime.close();

        assertThat(systemd.calls()).isEmpty();
        assertThat(systemd.unitDir.resolve(UNIT)).exists();
    }
}
