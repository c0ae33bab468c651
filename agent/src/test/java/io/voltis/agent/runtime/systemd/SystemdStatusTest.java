package io.voltis.agent.runtime.systemd;

import static io.voltis.agent.runtime.systemd.FakeSystemd.service;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import io.voltis.agent.runtime.ServiceStatus;
import io.voltis.agent.runtime.ServiceStatus.Actual;
import io.voltis.model.RestartPolicy;
import io.voltis.model.ServiceState;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the systemd runtime reads a service's status back from {@code systemctl show} and the
 * journal. systemd is not PID 1 on CI, so a fake {@code systemctl} script records its calls and
 * prints the {@code show} fixtures under {@code src/test/resources/systemd/show/}.
 */
class SystemdStatusTest {

    private static final String UNIT = "voltis-gw-gateway.service";

    @TempDir
    Path root;

    @ParameterizedTest(name = "{0}")
    @CsvSource(nullValues = "null", delimiter = '|', textBlock = """
            active-running.txt | running | RUNNING | 0 | null | 2026-11-22T10:00:00Z | null
            auto-restart.txt   | running | BACKOFF | 3 | 1    | 2026-11-22T10:05:30Z | exited with status 1; systemd restarts it (3 restarts so far)
            failed.txt         | running | FAILED  | 0 | 137  | 2026-11-23T08:15:00Z | killed by signal 9
            inactive.txt       | stopped | STOPPED | 0 | null | null                 | null
            start-limit-hit.txt       | running | FAILED | 5 | 1   | 2026-11-22T10:06:10Z | exited with status 1; systemd gave up restarting (start-limit-hit) after 5 restarts
            failed-restart-no.txt     | running | FAILED | 0 | 1   | 2026-11-22T10:06:10Z | exited with status 1
            start-limit-hit-chdir.txt | running | FAILED | 5 | 200 | 2026-11-22T10:06:10Z | exited with status 200 (cannot change to the working directory); systemd gave up restarting (start-limit-hit) after 5 restarts
            """)
    void showOutput_becomesTheStatusAUserSees(String fixture, String desired, Actual actual, int restarts, Integer exitCode,
                                              Instant since, String message) throws Exception {
        FakeSystemd systemd = new FakeSystemd(root);
        SystemdRuntime runtime = systemd.runtime();
        ServiceState state = desired.equals("running") ? ServiceState.RUNNING : ServiceState.STOPPED;
        runtime.apply(service("gw", "gateway", state, RestartPolicy.ALWAYS, "fp-1"));
        systemd.showAnswersFixture(UNIT, fixture);
        systemd.journalHas(UNIT, "gateway 1.4 starting", "error: cannot open etc/gateway.conf");
        systemd.clearCalls();

        ServiceStatus status = runtime.status("gateway").orElseThrow();

        assertThat(status.name()).isEqualTo("gateway");
        assertThat(status.desired()).isEqualTo(desired);
        assertThat(status.actual()).isEqualTo(actual);
        assertThat(status.healthy()).as("health under systemd is the health monitor's").isNull();
        assertThat(status.restarts()).isEqualTo(restarts);
        assertThat(status.lastExitCode()).isEqualTo(exitCode);
        assertThat(status.since()).isEqualTo(since);
        assertThat(status.message()).isEqualTo(message);
        boolean explains = actual == Actual.BACKOFF || actual == Actual.FAILED;
        assertThat(status.lastLogLines()).isEqualTo(explains
                ? List.of("gateway 1.4 starting", "error: cannot open etc/gateway.conf") : List.of());
        assertThat(systemd.calls()).first().isEqualTo("systemctl show " + UNIT + " --property=LoadState,ActiveState,SubState,"
                + "UnitFileState,Result,NRestarts,Restart,ExecMainCode,ExecMainStatus,ExecMainStartTimestampMonotonic,StateChangeTimestamp");
        if (explains) {
            assertThat(systemd.calls()).contains("journalctl -u " + UNIT + " -n 10 -o cat --no-pager");
        }
    }

    @Test
    void unitSystemdDoesNotKnow_isFailedWithTheReason() throws Exception {
        FakeSystemd systemd = new FakeSystemd(root);
        SystemdRuntime runtime = systemd.runtime();
        runtime.apply(FakeSystemd.running("gateway", "fp-1")); // no show file: the fake answers LoadState=not-found

        ServiceStatus status = runtime.status("gateway").orElseThrow();

        assertThat(status.actual()).isEqualTo(Actual.FAILED);
        assertThat(status.message()).isEqualTo("systemd has not loaded the unit (LoadState=not-found)");
        assertThat(status.degraded()).isTrue();
    }

    @Test
    void showFailing_isFailedAndSaysWhy() throws Exception {
        FakeSystemd systemd = new FakeSystemd(root);
        SystemdRuntime runtime = systemd.runtime();
        runtime.apply(FakeSystemd.running("gateway", "fp-1"));
        systemd.failVerb("show", "Failed to get properties: Access denied");

        ServiceStatus status = runtime.status("gateway").orElseThrow();

        assertThat(status.actual()).isEqualTo(Actual.FAILED);
        assertThat(status.message())
                .isEqualTo("systemctl show " + UNIT + " failed (exit 1): Failed to get properties: Access denied");
        assertThat(status.since()).isEqualTo(FakeSystemd.CLOCK.instant());
    }

    @ParameterizedTest(name = "''{0}''")
    @CsvSource(nullValues = "null", delimiter = '|', textBlock = """
            Sun 2026-11-22 10:00:00 UTC        | 2026-11-22T10:00:00Z
            Sun 2026-11-22 10:00:00.250000 UTC | 2026-11-22T10:00:00.250Z
            Sun 2026-11-22 11:00:00 CET        | 2026-11-22T10:00:00Z
            Sat 2026-08-22 12:00:00 CEST       | 2026-08-22T10:00:00Z
            ''                                 | null
            n/a                                | null
            yesterday                          | null
            """)
    void systemdTimestamps_areReadAsInstants(String text, Instant expected) {
        assertThat(UnitState.timestamp(text)).isEqualTo(expected);
    }
}
