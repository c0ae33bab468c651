package io.voltis.agent.runtime.systemd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default {@link Systemctl}: a real child process, bounded in time and output. systemd is
 * not PID 1 on CI, so the "systemctl" here is a shell script standing in for it.
 */
class SystemctlTest {

    @TempDir
    Path temp;

    @Test
    void answer_carriesExitCodeStdoutAndStderr_inUtc() throws Exception {
        Path script = script("echo \"TZ=$TZ args=$*\"; echo 'Unit x.service not loaded.' >&2; exit 4");

        Systemctl.Result result = Systemctl.at(script).run(List.of("show", "x.service"));

        assertThat(result.exitCode()).isEqualTo(4);
        assertThat(result.stdout()).isEqualTo("TZ=UTC args=show x.service\n");
        assertThat(result.failure("systemctl show x.service"))
                .isEqualTo("systemctl show x.service failed (exit 4): Unit x.service not loaded.");
    }

    @Test
    void hangingCall_isKilledAndSaysItTimedOut() throws Exception {
        Path script = script("echo started; sleep 600");

        Systemctl.Result result = Systemctl.at(script, Duration.ofMillis(300)).run(List.of("restart", "x.service"));

        assertThat(result.exitCode()).isEqualTo(Systemctl.Result.TIMED_OUT);
        assertThat(result.stdout()).isEqualTo("started\n");
        assertThat(result.failure("systemctl restart x.service"))
                .isEqualTo("systemctl restart x.service failed: timed out after 0s");
    }

    @Test
    void endlessOutput_isCapped() throws Exception {
        Path script = script("head -c 1000000 /dev/zero | tr '\\0' 'x'");

        Systemctl.Result result = Systemctl.at(script).run(List.of());

        assertThat(result.ok()).isTrue();
        assertThat(result.stdout()).hasSize(BoundedProcess.MAX_OUTPUT);
    }

    private Path script(String body) throws Exception {
        Path script = temp.resolve("systemctl");
        Files.writeString(script, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }
}
