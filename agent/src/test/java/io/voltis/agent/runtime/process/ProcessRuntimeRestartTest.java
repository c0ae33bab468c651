package io.voltis.agent.runtime.process;

import io.voltis.sync.testing.MutableClock;

import static io.voltis.agent.runtime.process.Processes.alive;
import static io.voltis.agent.runtime.process.Processes.eventually;
import static io.voltis.agent.runtime.process.Processes.pidIn;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.voltis.agent.runtime.ServiceStatus;
import io.voltis.agent.runtime.ServiceStatus.Actual;
import io.voltis.model.RestartPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProcessRuntimeRestartTest extends RuntimeTest {

    @Test
    void crashLoop_showsBackoffExitCodeLogLinesAndGrowingRestarts_otherServicesUnaffected() {
        runtime().apply(Definitions.sh("steady", root, "echo $$ > steady.pid; exec sleep 1000").build());
        long steady = pidIn(root.resolve("steady.pid"));

        runtime().apply(Definitions.sh("crashy", root, "echo starting; echo 'config /etc/x missing' >&2; exit 3").build());

        eventually().until(() -> status("crashy").restarts() >= 3);
        ServiceStatus crashy = eventually().until(() -> status("crashy"), s -> s.actual() == Actual.BACKOFF);
        assertThat(crashy.lastExitCode()).isEqualTo(3);
        assertThat(crashy.lastLogLines()).hasSizeLessThanOrEqualTo(10).endsWith("starting", "config /etc/x missing");
        assertThat(crashy.message()).startsWith("exited with code 3; restarting in ");
        assertThat(crashy.degraded()).isTrue();
        int seen = crashy.restarts();
        eventually().until(() -> status("crashy").restarts() > seen);

        ServiceStatus other = status("steady");
        assertThat(other.actual()).isEqualTo(Actual.RUNNING);
        assertThat(other.restarts()).isZero();
        assertThat(alive(steady)).isTrue();
    }

    @Test
    void backoff_doublesUpToTheMaximum() {
        runtime().apply(Definitions.sh("crashy", root, "exit 1").build());

        eventually().until(() -> status("crashy").message(), m -> m.endsWith("restarting in 400ms"));
    }

    @Test
    void backoff_startsOverAfterARunThatLasted() {
        MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
        fixture = new RuntimeFixture(root, RuntimeFixture.FAST, clock, System.getenv());
        runtime().apply(Definitions.sh("crashy", root, "exit 1").build());
        eventually().until(() -> status("crashy").message(), m -> m.endsWith("restarting in 400ms"));

        // From now on every run looks an hour long to the runtime: each crash is the first of a streak.
        clock.tickEachRead(Duration.ofHours(1));

        eventually().until(() -> status("crashy").message(), m -> m.endsWith("restarting in 100ms"));
    }

    @ParameterizedTest(name = "restart {0}, exit {1} -> {2}")
    @CsvSource({
            "ALWAYS,     0, restarted",
            "ALWAYS,     3, restarted",
            "ON_FAILURE, 3, restarted",
            "ON_FAILURE, 0, STOPPED",
            "NEVER,      0, STOPPED",
            "NEVER,      3, FAILED",
    })
    void restartPolicy_decidesWhetherAnExitedProcessStartsAgain(RestartPolicy policy, int exit, String outcome) {
        runtime().apply(Definitions.sh("job", root, "echo run >> runs; exit " + exit).restart(policy).build());

        if (outcome.equals("restarted")) {
            eventually().until(() -> status("job").restarts() >= 2);
            assertThat(Processes.read(root.resolve("runs")).lines().count()).isGreaterThanOrEqualTo(2);
            assertThat(status("job").lastExitCode()).isEqualTo(exit);
            return;
        }
        Actual expected = Actual.valueOf(outcome);
        ServiceStatus status = eventually().until(() -> status("job"), s -> s.actual() == expected);
        assertThat(status.lastExitCode()).isEqualTo(exit);
        assertThat(status.message()).isEqualTo("exited with code " + exit + "; not restarted (restart: "
                + policy.keyword() + ")");
        // Restarts would come within the 100 ms backoff: the service must stay down well past that.
        eventually().during(Duration.ofMillis(600)).until(() -> Processes.read(root.resolve("runs")).equals("run\n")
                && status("job").restarts() == 0);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "/no/such/binary, /no/such/binary: No such file or directory",
            "bin/missing,     bin/missing: No such file or directory",
            "./bin,           ./bin: Is a directory",
            "plain.txt,       plain.txt: not found in PATH /usr/bin:/bin",
            "./plain.txt,     ./plain.txt: Permission denied",
    })
    void missingCommand_withRestartNever_failsWithOneLine(String command, String reason) throws Exception {
        Files.createDirectories(root.resolve("bin"));
        Files.writeString(root.resolve("plain.txt"), "not a program");
        runtime().apply(Definitions.command("app", root, command).restart(RestartPolicy.NEVER)
                .env(java.util.Map.of("PATH", "/usr/bin:/bin")).build());

        ServiceStatus status = status("app");
        assertThat(status.actual()).isEqualTo(Actual.FAILED);
        assertThat(status.message()).isEqualTo("cannot start: " + reason);
        assertThat(status.lastExitCode()).isNull();
        assertThat(status.degraded()).isTrue();
    }

    @Test
    void missingCommand_withRestartAlways_retriesWithBackoff() {
        runtime().apply(Definitions.command("app", root, "/no/such/binary").build());

        eventually().until(() -> status("app").restarts() >= 2);
        ServiceStatus status = status("app");
        assertThat(status.actual()).isEqualTo(Actual.BACKOFF);
        assertThat(status.message()).startsWith("cannot start: /no/such/binary: No such file or directory; restarting in ");
    }

    @Test
    void scriptWhoseInterpreterIsMissing_saysWhySetsidCouldNotRunIt() throws Exception {
        Path script = Files.createDirectories(root.resolve("bin")).resolve("run");
        Files.writeString(script, "#!/no/such/interpreter\necho never\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));

        runtime().apply(Definitions.command("app", root, "bin/run").restart(RestartPolicy.NEVER).build());

        ServiceStatus status = eventually().until(() -> status("app"), s -> s.actual() == Actual.FAILED);
        assertThat(status.lastExitCode()).isEqualTo(127);
        assertThat(status.message()).isEqualTo("cannot start: bin/run: No such file or directory; not restarted (restart: never)");
        assertThat(status.lastLogLines()).isEqualTo(List.of("setsid: failed to execute bin/run: No such file or directory"));
    }
}
