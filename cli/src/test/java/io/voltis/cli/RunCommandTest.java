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
    void badMqttSettings_areBadUsage_beforeAnythingStarts() throws Exception {
        Cli url = Cli.run("run", "--repo", "file:///nowhere", "--state-dir", tmp.resolve("state").toString(),
                "--mqtt-url", "mqtt://broker.example");
        assertThat(url.exitCode()).isEqualTo(2);
        assertThat(url.err()).startsWith("voltis-agent: --mqtt-url: 'mqtt://broker.example' must be tcp://HOST[:PORT] or ssl://HOST[:PORT]\n");

        Path password = Files.writeString(tmp.resolve("mqtt-password"), "s3cret\n");
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-r--r--"));
        Cli open = Cli.run("run", "--repo", "file:///nowhere", "--state-dir", tmp.resolve("state").toString(),
                "--mqtt-url", "tcp://127.0.0.1", "--mqtt-username", "edge", "--mqtt-password-file", password.toString());
        assertThat(open.exitCode()).isEqualTo(2);
        assertThat(open.err()).startsWith("voltis-agent: mqtt-password-file " + password
                + " is readable by everyone: chmod 600 (or 640 for a group) it\n");

        Cli missing = Cli.run("run", "--repo", "file:///nowhere", "--state-dir", tmp.resolve("state").toString(),
                "--mqtt-url", "ssl://127.0.0.1", "--mqtt-ca-file", tmp.resolve("no-ca.pem").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("mqtt-ca-file").contains("no-ca.pem");
        assertThat(tmp.resolve("state")).doesNotExist();
    }

    @Test
    void listenBeyondLoopbackWithoutAToken_isBadUsage() {
        Cli r = Cli.run("run", "--repo", "file:///nowhere", "--state-dir", tmp.resolve("state").toString(),
                "--listen", "0.0.0.0:9740");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("voltis-agent: --listen: '0.0.0.0:9740' exposes the status API beyond this device");
    }

    @Test
    void gitPasswordFileReadableByEveryone_isBadUsage_beforeAnythingStarts() throws Exception {
        Path password = Files.writeString(tmp.resolve("git-token"), "s3cret-token-value\n");
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-r--r--"));

        Cli r = Cli.run("run", "--repo", "https://git.example.invalid/fleet.git", "--state-dir",
                tmp.resolve("state").toString(), "--git-password-file", password.toString());

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("voltis-agent: password file " + password + " is readable by everyone; chmod 600 it\n");
        assertThat(r.err()).doesNotContain("s3cret");
        assertThat(tmp.resolve("state")).doesNotExist();
    }

    @Test
    void sshUrlWithoutKnownHosts_isBadUsage_beforeAnythingStarts() throws Exception {
        Path key = Files.writeString(tmp.resolve("deploy-key"), "not checked before known_hosts\n");

        Cli r = Cli.run("run", "--repo", "ssh://git@git.example.invalid/fleet.git", "--state-dir",
                tmp.resolve("state").toString(), "--ssh-key", key.toString());

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("voltis-agent: an SSH URL needs --ssh-key and --known-hosts\n");
        assertThat(tmp.resolve("state")).doesNotExist();
    }

    @Test
    void gitCaFileWithoutACertificate_orMissing_isBadUsage_beforeAnythingStarts() throws Exception {
        Path notPem = Files.writeString(tmp.resolve("ca.pem"), "not a certificate\n");

        Cli r = Cli.run("run", "--repo", "https://git.example.invalid/fleet.git", "--state-dir",
                tmp.resolve("state").toString(), "--git-ca-file", notPem.toString());

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("voltis-agent: git-ca-file " + notPem);
        assertThat(tmp.resolve("state")).doesNotExist();

        Cli missing = Cli.run("run", "--repo", "https://git.example.invalid/fleet.git", "--state-dir",
                tmp.resolve("state").toString(), "--git-ca-file", tmp.resolve("absent.pem").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).startsWith("voltis-agent: cannot read git-ca-file " + tmp.resolve("absent.pem"));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"", " ", "a/b", "..", " edge-01"})
    void hostnameThatNamesNoDeviceFile_isBadUsage(String hostname) {
        Cli r = Cli.run("run", "--repo", "file:///nowhere", "--state-dir", tmp.resolve("state").toString(),
                "--hostname", hostname);

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("voltis-agent: --hostname: '" + hostname + "' is not a host name");
        assertThat(tmp.resolve("state")).doesNotExist();
    }

    @Test
    void passwordOverPlainHttp_isBadUsage_unlessAllowed() throws Exception {
        Path password = Files.writeString(tmp.resolve("git-token"), "s3cret-token-value\n");
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));

        Cli r = Cli.run("run", "--repo", "http://git.example.invalid/fleet.git", "--state-dir",
                tmp.resolve("state").toString(), "--git-password-file", password.toString());

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("voltis-agent: refusing to send the Git password or token over plain http:// to"
                + " http://git.example.invalid/fleet.git: use https://, or set allow-insecure-http: true");
        assertThat(r.err()).doesNotContain("s3cret");
        assertThat(tmp.resolve("state")).doesNotExist();

        Cli allowed = Cli.run("run", "--once", "--repo", "http://127.0.0.1:9/fleet.git", "--state-dir",
                tmp.resolve("state").toString(), "--git-password-file", password.toString(), "--allow-insecure-http",
                "--hostname", "dev1", "--runtime", "process", "--root", tmp.resolve("root").toString());
        assertThat(allowed.exitCode()).as(allowed.err()).isEqualTo(3); // it tried: nothing listens on port 9
        assertThat(allowed.out()).contains("source failing: GitUnreachable");
    }
}
