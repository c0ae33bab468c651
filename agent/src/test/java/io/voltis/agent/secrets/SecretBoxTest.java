package io.voltis.agent.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;

import io.voltis.sync.testing.AgeCli;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Decryption with the device identity, against files made by the real {@code age} CLI: each
 * bad input the secrets issue lists fails with one line naming the file and the fix, and no
 * message ever holds the plaintext or the key.
 */
class SecretBoxTest {

    private static final String SHOWN = "workloads/db/secrets/db.env.age";
    private static final byte[] PLAIN = "DB_PASSWORD=correct-horse-battery-staple\n".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path tmp;

    private Path identity;
    private String recipient;
    private SecretBox box;

    @BeforeEach
    void device() throws IdentityException {
        identity = tmp.resolve("state/identity.txt");
        DeviceIdentity.Created made = DeviceIdentity.create(identity);
        assertThat(made.created()).isTrue();
        recipient = made.identity().recipients().get(0);
        box = new SecretBox(identity);
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(tmp.resolve(name), bytes);
    }

    private String decrypt(Path file) throws SecretException, IOException {
        try (InputStream in = box.open(file, SHOWN)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private void assertSecretsKept(Throwable e) throws IOException {
        String key = Files.readAllLines(identity).stream().filter(l -> l.startsWith("AGE-SECRET-KEY-")).findFirst().orElseThrow();
        assertThat(e.getMessage()).doesNotContain("correct-horse").doesNotContain(key).doesNotContain("\n");
    }

    @Test
    void identity_isCreatedOnce_private_andAgeReadsItToo() throws Exception {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(identity))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(identity.getParent()))).isEqualTo("rwx------");
        assertThat(recipient).startsWith("age1").isEqualTo(AgeCli.recipientOf(identity));
        byte[] before = Files.readAllBytes(identity);

        DeviceIdentity.Created again = DeviceIdentity.create(identity);

        assertThat(again.created()).isFalse();
        assertThat(again.identity().recipients()).containsExactly(recipient);
        assertThat(Files.readAllBytes(identity)).isEqualTo(before);
        assertThat(again.identity().toString()).doesNotContain("AGE-SECRET-KEY");
        // the file is age-keygen's format: age itself decrypts with it
        assertThat(AgeCli.decrypt(AgeCli.encrypt(PLAIN, recipient), identity)).isEqualTo(PLAIN);
    }

    @Test
    void fileFromAge_toSeveralRecipients_binaryOrArmored_decrypts() throws Exception {
        String operator = AgeCli.keygen(tmp.resolve("operator.txt"));

        assertThat(decrypt(write("bin.age", AgeCli.encrypt(PLAIN, operator, recipient)))).isEqualTo(new String(PLAIN, StandardCharsets.UTF_8));
        assertThat(decrypt(write("arm.age", AgeCli.encryptArmored(PLAIN, recipient, operator)))).isEqualTo(new String(PLAIN, StandardCharsets.UTF_8));
        SecretBox.Digested d = box.digest(write("d.age", AgeCli.encrypt(PLAIN, recipient)), SHOWN);
        assertThat(d.size()).isEqualTo(PLAIN.length);
    }

    @Test
    void identityMadeByAgeKeygen_withTwoKeys_decryptsForEitherKey() throws Exception {
        Path provisioned = tmp.resolve("factory/identity.txt");
        Files.createDirectories(provisioned.getParent());
        String old = AgeCli.keygen(tmp.resolve("old.txt"));
        String fresh = AgeCli.keygen(tmp.resolve("new.txt"));
        Files.writeString(provisioned, Files.readString(tmp.resolve("old.txt")) + Files.readString(tmp.resolve("new.txt")));
        Files.setPosixFilePermissions(provisioned, PosixFilePermissions.fromString("rw-------"));
        SecretBox rotated = new SecretBox(provisioned);

        assertThat(DeviceIdentity.load(provisioned).recipients()).containsExactly(old, fresh);
        try (InputStream in = rotated.open(write("new.age", AgeCli.encrypt(PLAIN, fresh)), SHOWN)) {
            assertThat(in.readAllBytes()).isEqualTo(PLAIN);
        }
        try (InputStream in = rotated.open(write("old.age", AgeCli.encrypt(PLAIN, old)), SHOWN)) {
            assertThat(in.readAllBytes()).isEqualTo(PLAIN);
        }
    }

    @Test
    void notARecipient_failsNamingTheFileTheDeviceRecipientAndTheFix() throws Exception {
        String other = AgeCli.keygen(tmp.resolve("other.txt"));
        Path file = write("x.age", AgeCli.encrypt(PLAIN, other));

        assertThatThrownBy(() -> decrypt(file)).isInstanceOf(SecretException.class)
                .hasMessage(SHOWN + ": not encrypted to this device (" + recipient + "); add it as a recipient and re-encrypt")
                .satisfies(this::assertSecretsKept);
    }

    @Test
    void corruptPayload_failsWhenRead_neverWithPartialPlaintext() throws Exception {
        byte[] bytes = AgeCli.encrypt(PLAIN, recipient);
        bytes[bytes.length - 5] ^= 0x01;
        Path file = write("x.age", bytes);

        assertThatThrownBy(() -> box.digest(file, SHOWN)).isInstanceOf(SecretException.class)
                .hasMessage(SHOWN + ": corrupt or truncated (it does not authenticate); re-encrypt it with age")
                .satisfies(this::assertSecretsKept);
    }

    @Test
    void corruptHeaderMac_fails() throws Exception {
        String text = new String(AgeCli.encrypt(PLAIN, recipient), StandardCharsets.ISO_8859_1);
        int mac = text.indexOf("\n--- ") + 5;
        char c = text.charAt(mac);
        Path file = write("x.age", (text.substring(0, mac) + (c == 'A' ? 'B' : 'A') + text.substring(mac + 1))
                .getBytes(StandardCharsets.ISO_8859_1));

        assertThatThrownBy(() -> box.digest(file, SHOWN)).isInstanceOf(SecretException.class)
                .hasMessage(SHOWN + ": corrupt or truncated (it does not authenticate); re-encrypt it with age");
    }

    @Test
    void truncatedFile_inThePayloadOrTheHeader_fails() throws Exception {
        byte[] bytes = AgeCli.encrypt(PLAIN, recipient);
        Path payload = write("p.age", Arrays.copyOf(bytes, bytes.length - 10));
        Path header = write("h.age", Arrays.copyOf(bytes, 60));

        assertThatThrownBy(() -> box.digest(payload, SHOWN)).hasMessage(
                SHOWN + ": corrupt or truncated (it does not authenticate); re-encrypt it with age");
        assertThatThrownBy(() -> box.digest(header, SHOWN)).hasMessage(
                SHOWN + ": truncated: the header ends before its '---' line; re-encrypt it with age");
    }

    @Test
    void notAnAgeFile_fails() throws Exception {
        Path file = write("x.age", PLAIN);

        assertThatThrownBy(() -> box.digest(file, SHOWN)).hasMessage(SHOWN
                + ": not an age file (it does not start with 'age-encryption.org/v1'); re-encrypt it with age")
                .satisfies(this::assertSecretsKept);
    }

    @Test
    void passphraseFile_isRefusedWithTheReason() throws Exception {
        Path file = write("x.age", AgeCli.encryptWithPassphrase(PLAIN, tmp));

        assertThatThrownBy(() -> box.digest(file, SHOWN)).hasMessage(SHOWN + ": encrypted with a passphrase (age -p);"
                + " devices decrypt only files encrypted to their recipient: re-encrypt with age -r age1... or -R recipients file");
    }

    @Test
    void missingIdentity_failsTheDecryptionWithTheFix() throws Exception {
        Path file = write("x.age", AgeCli.encrypt(PLAIN, recipient));
        SecretBox none = new SecretBox(tmp.resolve("nowhere/identity.txt"));

        assertThatThrownBy(() -> none.digest(file, SHOWN)).hasMessage(SHOWN + ": cannot decrypt: identity "
                + tmp.resolve("nowhere/identity.txt") + " does not exist; create it with: voltis-agent identity");
        // a default identity that does not exist is no bad setting: a device without secrets needs none
        SecretBox.checkAtStart(tmp.resolve("nowhere/identity.txt"), false);
        assertThatThrownBy(() -> SecretBox.checkAtStart(tmp.resolve("nowhere/identity.txt"), true))
                .isInstanceOf(IdentityException.class).hasMessageContaining("does not exist");
    }

    @Test
    void identityOpenToOthers_isRefused_atStartAndOnUse() throws Exception {
        Files.setPosixFilePermissions(identity, PosixFilePermissions.fromString("rw-r--r--"));
        Path file = write("x.age", AgeCli.encrypt(PLAIN, recipient));

        assertThatThrownBy(() -> SecretBox.checkAtStart(identity, false)).isInstanceOf(IdentityException.class)
                .hasMessage("identity " + identity + " is open to others (rw-r--r--); make it private: chmod 600 " + identity)
                .satisfies(this::assertSecretsKept);
        assertThatThrownBy(() -> box.digest(file, SHOWN)).hasMessageContaining("is open to others");
    }

    @Test
    void identityWithNoKey_orABrokenKey_isRefused() throws Exception {
        Files.writeString(identity, "# nothing here\n");
        assertThatThrownBy(() -> DeviceIdentity.load(identity)).hasMessageContaining("holds no age key");
        Files.writeString(identity, "AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQ\n");
        assertThatThrownBy(() -> DeviceIdentity.load(identity)).hasMessage("identity " + identity
                + " holds a key that is not a valid age X25519 identity");
    }

    @Test
    void value_dropsOneTrailingNewline_andRefusesTooLargeOrBinary() throws Exception {
        assertThat(box.value(write("v.age", AgeCli.encrypt("s3cret\n".getBytes(StandardCharsets.UTF_8), recipient)), SHOWN, 100))
                .isEqualTo("s3cret");
        assertThat(box.value(write("w.age", AgeCli.encrypt("two\nlines\n\n".getBytes(StandardCharsets.UTF_8), recipient)), SHOWN, 100))
                .isEqualTo("two\nlines\n");
        Path big = write("b.age", AgeCli.encrypt(new byte[200], recipient));
        assertThatThrownBy(() -> box.value(big, SHOWN, 100)).hasMessage(SHOWN
                + ": the secret is larger than 100 bytes; write it as a file with decrypt: age");
        Path binary = write("c.age", AgeCli.encrypt(new byte[] {(byte) 0xff, (byte) 0xfe}, recipient));
        assertThatThrownBy(() -> box.value(binary, SHOWN, 100)).hasMessageContaining("not UTF-8 text");
    }
}
