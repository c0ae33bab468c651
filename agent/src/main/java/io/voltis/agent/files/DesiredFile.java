package io.voltis.agent.files;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * One file as it must be on the device: its absolute target under the root, content and mode,
 * and the content's SHA-256, computed once here (streaming) so quiet ticks never hash desired
 * content. Equal when target, mode and digest are.
 */
public record DesiredFile(Path target, Content content, int mode, String digest, String fingerprint) {

    /**
     * {@code fingerprint} is what service fingerprints take of this file: its digest, or for a
     * secret a digest keyed with the device identity ({@link io.voltis.agent.secrets.SecretBox#keyed}),
     * since a service's fingerprint is written in its unit file, which others may read: a plain
     * SHA-256 of a short password would let them guess it.
     */
    public DesiredFile {
        fingerprint = fingerprint == null ? digest : fingerprint;
    }

    public DesiredFile(Path target, Content content, int mode, String digest) {
        this(target, content, mode, digest, null);
    }

    /** Rendered (small) content. */
    public DesiredFile(Path target, byte[] content, int mode) {
        this(target, new Content.Bytes(content), mode, FileSync.digest(content));
    }

    /** Rendered content that holds a secret. */
    static DesiredFile secret(Path target, byte[] content, int mode, io.voltis.agent.secrets.SecretBox box, String shown)
            throws io.voltis.agent.secrets.SecretException {
        String digest = FileSync.digest(content);
        return new DesiredFile(target, new Content.Bytes(content, true), mode, digest, box.keyed(digest, shown));
    }

    /** The plaintext of the age file {@code source}, decrypted once here to prove it can be and to hash it. */
    static DesiredFile decrypted(Path target, Path source, String shown, io.voltis.agent.secrets.SecretBox box, int mode)
            throws io.voltis.agent.secrets.SecretException {
        io.voltis.agent.secrets.SecretBox.Digested d = box.digest(source, shown);
        return new DesiredFile(target, new Content.Decrypted(source, shown, box, d.size()), mode, d.sha256(),
                box.keyed(d.sha256(), shown));
    }

    public boolean secret() {
        return content.secret();
    }

    /** The file {@code source} of an unpacked revision, hashed as a stream. */
    public static DesiredFile of(Path target, Path source, int mode) throws IOException {
        MessageDigest digest = FileSync.sha256();
        long size;
        try (InputStream in = new DigestInputStream(Files.newInputStream(source), digest)) {
            size = in.transferTo(OutputStream.nullOutputStream());
        }
        return new DesiredFile(target, new Content.Source(source, size), mode, HexFormat.of().formatHex(digest.digest()));
    }

    public long size() {
        return content.size();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DesiredFile d && d.target.equals(target) && d.mode == mode && d.digest.equals(digest);
    }

    @Override
    public int hashCode() {
        return target.hashCode() * 31 + digest.hashCode();
    }

    @Override
    public String toString() {
        return "DesiredFile[" + target + ", " + size() + " bytes, " + String.format("%04o", mode) + (secret() ? ", secret" : "") + "]";
    }
}
