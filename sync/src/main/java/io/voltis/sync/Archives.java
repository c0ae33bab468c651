package io.voltis.sync;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.FilterOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/**
 * The compressed copy of an unpacked revision that the store keeps, so a rollback never needs
 * Git: tar.gz by Apache Commons Compress. Unpacking refuses any entry that would land outside
 * the target folder.
 */
public final class Archives {

    private Archives() {
    }

    /** Packs {@code dir} into {@code archive} (created or replaced), streaming: memory does not grow with file size. */
    public static void pack(Path dir, Path archive) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(archive))) {
            pack(dir, out);
        }
    }

    /** Writes {@code dir} as a tar.gz to {@code out}, streaming each file; does not close {@code out}. */
    public static void pack(Path dir, OutputStream out) throws IOException {
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(
                new FilterOutputStream(out) {
                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        out.write(b, off, len);
                    }

                    @Override
                    public void close() throws IOException {
                        flush();
                    }
                }));
             Stream<Path> walk = Files.walk(dir)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Path p : walk.sorted().toList()) {
                if (p.equals(dir)) {
                    continue;
                }
                String name = dir.relativize(p).toString();
                TarArchiveEntry entry;
                if (Files.isSymbolicLink(p)) {
                    entry = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
                    entry.setLinkName(Files.readSymbolicLink(p).toString());
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    entry = new TarArchiveEntry(name + "/");
                } else {
                    entry = new TarArchiveEntry(name);
                    entry.setSize(Files.size(p));
                    entry.setMode(Files.isExecutable(p) ? 0100700 : 0100600);
                }
                tar.putArchiveEntry(entry);
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.copy(p, tar);
                }
                tar.closeArchiveEntry();
            }
        }
    }

    /** For small trees (tests, tools): the archive as bytes. */
    public static byte[] pack(Path dir) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        pack(dir, bytes);
        return bytes.toByteArray();
    }

    /** Unpacks {@code archive} into {@code dir}, which must not exist yet. */
    public static void unpack(byte[] archive, Path dir) throws IOException {
        unpack(new ByteArrayInputStream(archive), dir);
    }

    /** Unpacks the tar.gz read from {@code archive} into {@code dir}, which must not exist yet; streams each file. */
    public static void unpack(InputStream archive, Path dir) throws IOException {
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path root = dir.toRealPath();
        try (InputStream in = new TarArchiveInputStream(new GzipCompressorInputStream(new BufferedInputStream(archive)))) {
            TarArchiveInputStream tar = (TarArchiveInputStream) in;
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                Path out = root.resolve(entry.getName()).normalize();
                if (!out.startsWith(root) || out.equals(root)) {
                    throw new IOException("archive entry '" + entry.getName() + "' leaves " + dir);
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(out);
                } else if (entry.isSymbolicLink()) {
                    Path target = out.getParent().resolve(entry.getLinkName()).normalize();
                    if (!target.startsWith(root)) {
                        throw new IOException("archive link '" + entry.getName() + "' points outside " + dir);
                    }
                    Files.createSymbolicLink(out, Path.of(entry.getLinkName()));
                } else {
                    Files.createDirectories(out.getParent());
                    Files.copy(tar, out);
                    Files.setPosixFilePermissions(out, (entry.getMode() & 0100) != 0
                            ? PosixFilePermissions.fromString("rwx------") : PosixFilePermissions.fromString("rw-------"));
                }
            }
        }
    }
}
