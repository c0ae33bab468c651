package io.voltis.agent.packages.artifact;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * What a download is: by its file name ({@code .tar.gz}/{@code .tgz}, {@code .tar},
 * {@code .zip}), else by its first bytes; anything else is a plain {@link #FILE}, kept as is.
 */
enum ArchiveType {
    TAR_GZ, TAR, ZIP, FILE;

    private static final int TAR_MAGIC_OFFSET = 257;

    static ArchiveType detect(String fileName, Path file) throws IOException {
        String lower = fileName.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".tar.gz") || lower.endsWith(".tgz")) {
            return TAR_GZ;
        }
        if (lower.endsWith(".tar")) {
            return TAR;
        }
        if (lower.endsWith(".zip")) {
            return ZIP;
        }
        return sniff(file);
    }

    private static ArchiveType sniff(Path file) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(512);
        }
        if (head.length >= 4 && head[0] == 'P' && head[1] == 'K' && (head[2] == 3 || head[2] == 5)) {
            return ZIP;
        }
        if (isTar(head)) {
            return TAR;
        }
        if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            try (InputStream in = new GzipCompressorInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
                return isTar(in.readNBytes(512)) ? TAR_GZ : FILE;
            } catch (IOException e) {
                return FILE;
            }
        }
        return FILE;
    }

    private static boolean isTar(byte[] head) {
        return head.length >= TAR_MAGIC_OFFSET + 5
                && new String(head, TAR_MAGIC_OFFSET, 5, StandardCharsets.US_ASCII).equals("ustar");
    }
}
