package io.voltis.agent.packages.artifact;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/**
 * Builds tar, tar.gz and zip archives in memory with Apache Commons Compress, entry names
 * written exactly as given (absolute and ".." names included), for tests that serve them.
 * Public for whole-agent tests that serve an artifact too.
 */
public final class TestArchives {

    enum Kind { FILE, DIRECTORY, SYMLINK, HARDLINK }

    public record Entry(String name, Kind kind, String content, int mode, String link) {
    }

    private TestArchives() {
    }

    public static Entry file(String name, String content) {
        return new Entry(name, Kind.FILE, content, 0644, null);
    }

    public static Entry executable(String name, String content) {
        return new Entry(name, Kind.FILE, content, 0755, null);
    }

    public static Entry dir(String name) {
        return new Entry(name, Kind.DIRECTORY, null, 0755, null);
    }

    static Entry symlink(String name, String target) {
        return new Entry(name, Kind.SYMLINK, null, 0777, target);
    }

    static Entry hardLink(String name, String target) {
        return new Entry(name, Kind.HARDLINK, null, 0644, target);
    }

    public static byte[] tarGz(Entry... entries) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream gz = new GzipCompressorOutputStream(bytes)) {
            writeTar(gz, entries);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static byte[] tar(Entry... entries) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            writeTar(bytes, entries);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void writeTar(OutputStream out, Entry... entries) throws IOException {
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Entry e : entries) {
                TarArchiveEntry entry = switch (e.kind()) {
                    case FILE -> new TarArchiveEntry(e.name(), true);
                    case DIRECTORY -> new TarArchiveEntry(e.name().endsWith("/") ? e.name() : e.name() + "/", true);
                    case SYMLINK -> new TarArchiveEntry(e.name(), TarArchiveEntry.LF_SYMLINK, true);
                    case HARDLINK -> new TarArchiveEntry(e.name(), TarArchiveEntry.LF_LINK, true);
                };
                if (e.link() != null) {
                    entry.setLinkName(e.link());
                }
                byte[] content = e.content() == null ? new byte[0] : e.content().getBytes(StandardCharsets.UTF_8);
                entry.setSize(content.length);
                entry.setMode((entry.getMode() & ~07777) | e.mode());
                tar.putArchiveEntry(entry);
                tar.write(content);
                tar.closeArchiveEntry();
            }
        }
        out.flush();
    }

    static byte[] zip(Entry... entries) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(bytes)) {
            for (Entry e : entries) {
                String name = e.kind() == Kind.DIRECTORY && !e.name().endsWith("/") ? e.name() + "/" : e.name();
                ZipArchiveEntry entry = new ZipArchiveEntry(name);
                int type = switch (e.kind()) {
                    case FILE -> 0100000;
                    case DIRECTORY -> 040000;
                    case SYMLINK -> 0120000;
                    case HARDLINK -> throw new IllegalArgumentException("zip has no hard links");
                };
                entry.setUnixMode(type | e.mode());
                zip.putArchiveEntry(entry);
                String content = e.kind() == Kind.SYMLINK ? e.link() : e.content();
                if (content != null) {
                    zip.write(content.getBytes(StandardCharsets.UTF_8));
                }
                zip.closeArchiveEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
