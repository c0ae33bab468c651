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

    /** All the bytes when there are at most {@code limit} of them, else null. */
    byte[] bytesUpTo(int limit) throws IOException;

    /** Rendered content, held in memory. */
    record Bytes(byte[] value) implements Content {
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
            return value.length <= limit ? value : null;
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
