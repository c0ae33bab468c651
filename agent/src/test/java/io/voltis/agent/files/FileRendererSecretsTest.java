package io.voltis.agent.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.voltis.agent.secrets.DeviceIdentity;
import io.voltis.agent.secrets.SecretBox;
import io.voltis.model.Decrypt;
import io.voltis.model.FileMode;
import io.voltis.model.FileSpec;
import io.voltis.sync.testing.AgeCli;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rendering secret files with a real identity and files made by the real {@code age}: what a
 * secret target carries for comparisons (the plaintext's digest, in memory) and what service
 * fingerprints take (a digest keyed with the identity: fingerprints are written in unit files
 * others may read, and a plain SHA-256 of a short password lets anyone guess it).
 */
class FileRendererSecretsTest {

    @TempDir
    Path tmp;

    private Path dir;
    private String recipient;
    private FileRenderer renderer;

    @BeforeEach
    void setUp() throws Exception {
        dir = Files.createDirectories(tmp.resolve("rev"));
        recipient = DeviceIdentity.create(tmp.resolve("state/identity.txt")).identity().recipients().get(0);
        renderer = new FileRenderer(tmp.resolve("root"), new SecretBox(tmp.resolve("state/identity.txt")));
    }

    private void encrypt(String name, String plain) throws Exception {
        Files.write(dir.resolve(name), AgeCli.encrypt(plain.getBytes(StandardCharsets.UTF_8), recipient));
    }

    private DesiredFile decrypted(FileRenderer r) throws FileStepException {
        return r.render(dir, "workloads/db", List.of(new FileSpec("pw.age", "etc/pw", null, false, Decrypt.AGE)), Map.of()).get(0);
    }

    @Test
    void decryptedFile_isSecret0600_comparedByItsDigest_fingerprintedByAKeyedOne() throws Exception {
        encrypt("pw.age", "hunter2\n");

        DesiredFile first = decrypted(renderer);
        DesiredFile again = decrypted(renderer);

        assertThat(first.secret()).isTrue();
        assertThat(first.mode()).isEqualTo(0600);
        assertThat(first.size()).isEqualTo(8);
        assertThat(first.digest()).isEqualTo(FileSync.digest("hunter2\n".getBytes(StandardCharsets.UTF_8)));
        assertThat(first.content().bytesUpTo(1 << 20)).isNull();
        assertThat(first.fingerprint()).startsWith("keyed:").doesNotContain(first.digest());
        assertThat(again.fingerprint()).as("stable while the identity is").isEqualTo(first.fingerprint());
        try (var in = first.content().open()) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("hunter2\n");
        }

        encrypt("pw.age", "hunter3\n");
        assertThat(decrypted(renderer).fingerprint()).as("a new value: a new fingerprint").isNotEqualTo(first.fingerprint());

        // another device (another identity) with the same plaintext: another fingerprint
        Path other = tmp.resolve("other/identity.txt");
        String otherRecipient = DeviceIdentity.create(other).identity().recipients().get(0);
        Files.write(dir.resolve("pw.age"), AgeCli.encrypt("hunter2\n".getBytes(StandardCharsets.UTF_8), recipient, otherRecipient));
        DesiredFile there = decrypted(new FileRenderer(tmp.resolve("root"), new SecretBox(other)));
        assertThat(there.digest()).isEqualTo(first.digest());
        assertThat(there.fingerprint()).isNotEqualTo(first.fingerprint());
    }

    @Test
    void templateUsingASecret_isSecret_andKeyed_whileAPlainTemplateIsNot() throws Exception {
        Files.writeString(dir.resolve("app.conf"), "password=${secret.pw}\n");
        Files.writeString(dir.resolve("plain.conf"), "host=${host}\n");
        encrypt("pw.age", "hunter2\n");
        Map<String, String> vars = new java.util.HashMap<>(Map.of("host", "db"));
        vars.putAll(renderer.secrets(dir, "workloads/db", Map.of("pw", "pw.age")));

        List<DesiredFile> files = renderer.render(dir, "workloads/db", List.of(
                new FileSpec("app.conf", "etc/app.conf", new FileMode(0640), true),
                new FileSpec("plain.conf", "etc/plain.conf", null, true)), vars);

        assertThat(files.get(0).secret()).isTrue();
        assertThat(files.get(0).content().bytesUpTo(1 << 20)).isNull();
        assertThat(files.get(0).fingerprint()).startsWith("keyed:");
        assertThat(files.get(1).secret()).isFalse();
        assertThat(files.get(1).fingerprint()).isEqualTo(files.get(1).digest());
        assertThat(files.get(0).toString()).contains("secret").doesNotContain("hunter2");
    }

    @Test
    void withoutAnIdentity_aSecretFailsToRender_namingTheFile() throws Exception {
        encrypt("pw.age", "hunter2\n");

        assertThatThrownBy(() -> decrypted(new FileRenderer(tmp.resolve("root")))).isInstanceOf(FileStepException.class)
                .hasMessage("this agent has no device identity: set identity-file or run voltis-agent identity");
    }
}
