package io.voltis.sync.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialSourcesTest {

    @TempDir
    Path tmp;

    private Path secret(String text, String perms) throws Exception {
        Path f = Files.writeString(tmp.resolve("secret"), text);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(perms));
        return f;
    }

    @Test
    void passwordFile_isReadAndNeverShown() throws Exception {
        GitCredentials c = CredentialSources.load("https://git.example/r.git", "ops", secret("hunter2\n", "rw-------"),
                null, null, Map.of());

        assertThat(c).isEqualTo(new GitCredentials.Basic("ops", "hunter2"));
        assertThat(c.toString()).doesNotContain("hunter2");
    }

    @Test
    void tokenFromEnvironment_withDefaultUserName() throws Exception {
        GitCredentials c = CredentialSources.load("https://git.example/r.git", null, null, null, null,
                Map.of("VOLTIS_GIT_TOKEN", "ghp_abc"));

        assertThat(c).isEqualTo(new GitCredentials.Basic("voltis-agent", "ghp_abc"));
    }

    @Test
    void nothingGiven_isNoCredentials() throws Exception {
        assertThat(CredentialSources.load("https://git.example/r.git", null, null, null, null, Map.of()))
                .isEqualTo(GitCredentials.NONE);
    }

    @Test
    void worldReadablePasswordFile_isRefusedWithoutItsContent() throws Exception {
        Path f = secret("hunter2", "rw-r--r--");

        assertThatThrownBy(() -> CredentialSources.load("https://g/r.git", "ops", f, null, null, Map.of()))
                .hasMessage("password file " + f + " is readable by everyone; chmod 600 it")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void sshUrls_needKeyAndKnownHosts() throws Exception {
        Path key = secret("key", "rw-------");
        assertThatThrownBy(() -> CredentialSources.load("git@github.com:org/fleet.git", null, null, key, null, Map.of()))
                .hasMessage("an SSH URL needs --ssh-key and --known-hosts");
        assertThatThrownBy(() -> CredentialSources.load("ssh://git@h/r.git", null, null, key, tmp.resolve("nope"), Map.of()))
                .hasMessage("known_hosts file " + tmp.resolve("nope") + " does not exist or is not readable");
    }
}
