package io.voltis.agent.secrets;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.List;


import io.voltis.model.AgeHeader;

/**
 * Decrypts age files of a revision with the device identity. The identity file is read on
 * each use, so one created or rotated while the agent runs is used at the next apply without a
 * restart. Every failure is a {@link SecretException} whose message names the file and the fix:
 * not encrypted to this device, a passphrase file, corrupt or truncated, no identity.
 */
public final class SecretBox {

    private static final int HEADER_BYTES = 1 << 20;
    private static final byte[] ARMOR = "-----BEGIN AGE ENCRYPTED FILE-----".getBytes(StandardCharsets.US_ASCII);

    private final Path identityFile;

    /** @param identityFile the device identity ({@code identity-file}, default {@code <state-dir>/identity.txt}) */
    public SecretBox(Path identityFile) {
        this.identityFile = identityFile;
    }

    public Path identityFile() {
        return identityFile;
    }

    /**
     * The start-up check: an identity that exists must load (private, holding a key), and one
     * set explicitly ({@code identity-file}) must exist. A device that uses no secrets needs no
     * identity, so the default one may be missing.
     */
    public static void checkAtStart(Path identityFile, boolean setExplicitly) throws IdentityException {
        if (setExplicitly || DeviceIdentity.exists(identityFile)) {
            DeviceIdentity.check(identityFile);
        }
    }

    /**
     * The plaintext of the age file {@code file} as a stream, shown as {@code shown} in errors.
     * The header is checked and the file key unwrapped before this returns, so a file not
     * encrypted to this device fails here; corruption later in the payload fails the read with
     * an IOException whose message is {@link #corrupt}'s.
     */
    public InputStream open(Path file, String shown) throws SecretException {
        DeviceIdentity identity;
        try {
            identity = DeviceIdentity.load(identityFile);
        } catch (IdentityException e) {
            throw new SecretException(shown + ": cannot decrypt: " + e.getMessage());
        }
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(HEADER_BYTES);
        } catch (IOException e) {
            throw new SecretException(shown + ": cannot read: " + e.getClass().getSimpleName());
        }
        AgeHeader header;
        try {
            header = AgeHeader.parse(head);
        } catch (AgeHeader.Malformed e) {
            throw new SecretException(shown + ": " + e.getMessage() + "; re-encrypt it with age");
        }
        String problem = header.deviceProblem();
        if (problem != null) {
            throw new SecretException(shown + ": " + problem);
        }
        ReadableByteChannel source = null;
        try {
            source = Files.newByteChannel(file);
            boolean armored = Arrays.equals(head, 0, Math.min(head.length, ARMOR.length), ARMOR, 0, ARMOR.length);
            return new Guarded(AgeKeys.decrypt(source, armored, identity.keys()), shown);
        } catch (AgeKeys.NotARecipient e) {
            close(source);
            throw new SecretException(notForThisDevice(shown, identity));
        } catch (AgeKeys.Corrupt | IOException e) {
            close(source);
            throw new SecretException(corrupt(shown));
        }
    }

    /**
     * The whole plaintext of a small age file (a {@code secrets:} value), at most {@code limit}
     * bytes, as UTF-8 text without one trailing newline ({@code echo pw | age} writes one).
     */
    public String value(Path file, String shown, int limit) throws SecretException {
        byte[] bytes;
        try (InputStream in = open(file, shown)) {
            bytes = in.readNBytes(limit + 1);
        } catch (IOException e) {
            throw new SecretException(corrupt(shown));
        }
        try {
            if (bytes.length > limit) {
                throw new SecretException(shown + ": the secret is larger than " + limit + " bytes; write it as a file with decrypt: age");
            }
            int end = bytes.length;
            if (end > 0 && bytes[end - 1] == '\n') {
                end--;
                if (end > 0 && bytes[end - 1] == '\r') {
                    end--;
                }
            }
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, 0, end)).toString();
        } catch (CharacterCodingException e) {
            throw new SecretException(shown + ": the secret is not UTF-8 text; write binary secrets as a file with decrypt: age");
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /** The whole plaintext of {@code file} read and dropped: proves it decrypts, returns its size and SHA-256. */
    public Digested digest(Path file, String shown) throws SecretException {
        java.security.MessageDigest sha;
        try {
            sha = java.security.MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        long size = 0;
        try (InputStream in = open(file, shown)) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
                size += n;
            }
            Arrays.fill(buffer, (byte) 0);
        } catch (IOException e) {
            throw new SecretException(corrupt(shown));
        }
        return new Digested(size, java.util.HexFormat.of().formatHex(sha.digest()));
    }

    /**
     * {@code digest} (of a secret's plaintext) keyed with this device's identity: HMAC-SHA256
     * with a key derived from the identity's keys. Stable while the identity is, and no help to
     * anyone guessing the plaintext without the identity. Service fingerprints take this.
     */
    public String keyed(String digest, String shown) throws SecretException {
        List<String> keys;
        try {
            keys = DeviceIdentity.check(identityFile);
        } catch (IdentityException e) {
            throw new SecretException(shown + ": cannot decrypt: " + e.getMessage());
        }
        try {
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            sha.update("voltis service fingerprint key\0".getBytes(StandardCharsets.US_ASCII));
            keys.forEach(k -> sha.update((k + "\n").getBytes(StandardCharsets.US_ASCII)));
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(sha.digest(), "HmacSHA256"));
            return "keyed:" + java.util.HexFormat.of().formatHex(mac.doFinal(digest.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /** The plaintext's size and SHA-256 (hex). */
    public record Digested(long size, String sha256) {
    }

    static String notForThisDevice(String shown, DeviceIdentity identity) {
        return shown + ": not encrypted to this device (" + String.join(", ", identity.recipients())
                + "); add it as a recipient and re-encrypt";
    }

    static String corrupt(String shown) {
        return shown + ": corrupt or truncated (it does not authenticate); re-encrypt it with age";
    }

    private static void close(ReadableByteChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // already failing
            }
        }
    }

    /** A plaintext stream whose read failures say which file, without the library's words. */
    private static final class Guarded extends java.io.FilterInputStream {
        private final String shown;

        Guarded(InputStream in, String shown) {
            super(in);
            this.shown = shown;
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (IOException | RuntimeException e) {
                throw new IOException(corrupt(shown));
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (IOException | RuntimeException e) {
                throw new IOException(corrupt(shown));
            }
        }
    }
}
