package io.voltis.agent.files;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a desired file holds: rendered bytes (a template, at most 1 MiB by validation) or a file
 * of the unpacked revision, which is read as a stream whenever it is written or compared, so
 * memory never grows with a file's size. A revision folder is never changed once unpacked.
 */
public sealed interface Content {


    long size();

    InputStream open() throws IOException;

    /** All the bytes when there are at most {@code limit} of them, else null; null for a secret. */
    byte[] bytesUpTo(int limit) throws IOException;

    /** Whether the content is a secret: never shown (plan says "(secret, changed)"), never logged. */
    default boolean secret() {
        return false;
    }

    /** Rendered content, held in memory; {@code secret} when a template filled in a secret. */
    record Bytes(byte[] value, boolean secret) implements Content {
        public Bytes(byte[] value) {
            this(value, false);
        }

        @Override
        public long size() {
            return value.length;
        }

        @Override
        public InputStream open() {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] bytesUpTo(int limit) {
            return value.length <= limit && !secret ? value : null;
        }

        @Override
        public String toString() {
            return "Bytes[" + value.length + " bytes" + (secret ? ", secret" : "") + "]";
        }
    }

    /**
     * The plaintext of an age-encrypted file of the unpacked revision: decrypted as a stream each
     * time it is written or compared, never held. {@code size} is the plaintext's.
     */
    record Decrypted(Path file, String shown, io.voltis.agent.secrets.SecretBox box, long size) implements Content {
        @Override
        public InputStream open() throws IOException {
            try {
                return box.open(file, shown);
            } catch (io.voltis.agent.secrets.SecretException e) {
                throw new IOException(e.getMessage(), e);
            }
        }

        @Override
        public byte[] bytesUpTo(int limit) {
            return null;
        }

        @Override
        public boolean secret() {
            return true;
        }
    }

    /** A file of the unpacked revision, read when needed. */
    record Source(Path file, long size) implements Content {
        @Override
        public InputStream open() throws IOException {
            return Files.newInputStream(file);
        }

        @Override
        public byte[] bytesUpTo(int limit) throws IOException {
            return size <= limit ? Files.readAllBytes(file) : null;
        }
    }
}
