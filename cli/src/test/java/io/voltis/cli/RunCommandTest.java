package io.voltis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What `run` refuses before it starts anything: bad settings are exit 2, which systemd does not restart. */
class RunCommandTest {

    @TempDir
    Path tmp;

    @Test
    void apiTokenFileReadableByEveryone_isBadUsage_beforeAnythingStarts() throws Exception {
        Path token = Files.writeString(tmp.resolve("token"), "0123456789abcdef0123\n");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-r--r--"));

        Cli r = Cli.run("run", "--repo", "file:///nowhere", "--state-dir", tmp.resolve("state").toString(),
                "--api-token-file", token.toString());

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("voltis-agent: api token file " + token
                + " is readable by everyone: chmod 600 (or 640 for a group) it\n");
        assertThat(tmp.resolve("state")).doesNotExist();
    }

    @Test
    void listenBeyondLoopbackWithoutAToken_isBadUsage() {
        Cli r = Cli.run("run", "--repo", "file:///nowhere", "--state-dir", tmp.resolve("state").toString(),
                "--listen", "0.0.0.0:9740");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("voltis-agent: --listen: '0.0.0.0:9740' exposes the status API beyond this device");
    }
}
