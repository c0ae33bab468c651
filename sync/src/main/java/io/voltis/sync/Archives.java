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
import java.util.Map;
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
        pack(out, Map.of("", dir), Map.of());
    }

    /**
     * Writes a tar.gz to {@code out} (not closed): each folder of {@code trees} under its prefix
     * ("" for the archive's top), then each of {@code files} (small, in memory) at its path.
     */
    public static void pack(OutputStream out, Map<String, Path> trees, Map<String, byte[]> files) throws IOException {
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
                }))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            java.util.Set<String> folders = new java.util.HashSet<>();
            for (var tree : new java.util.TreeMap<>(trees).entrySet()) {
                String prefix = tree.getKey().isEmpty() ? "" : tree.getKey() + "/";
                folders(tar, prefix, folders);
                try (Stream<Path> walk = Files.walk(tree.getValue())) {
                    for (Path p : walk.sorted().toList()) {
                        if (!p.equals(tree.getValue())) {
                            entry(tar, prefix + tree.getValue().relativize(p), p);
                        }
                    }
                }
            }
            for (var file : new java.util.TreeMap<>(files).entrySet()) {
                String name = file.getKey();
                folders(tar, name.contains("/") ? name.substring(0, name.lastIndexOf('/') + 1) : "", folders);
                TarArchiveEntry entry = new TarArchiveEntry(name);
                entry.setSize(file.getValue().length);
                entry.setMode(0100600);
                tar.putArchiveEntry(entry);
                tar.write(file.getValue());
                tar.closeArchiveEntry();
            }
        }
    }

    /** Entries for the folders of {@code prefix} ("a/b/") not written yet. */
    private static void folders(TarArchiveOutputStream tar, String prefix, java.util.Set<String> written) throws IOException {
        int slash = -1;
        while ((slash = prefix.indexOf('/', slash + 1)) > 0) {
            String folder = prefix.substring(0, slash + 1);
            if (written.add(folder)) {
                tar.putArchiveEntry(new TarArchiveEntry(folder));
                tar.closeArchiveEntry();
            }
        }
    }

    private static void entry(TarArchiveOutputStream tar, String name, Path p) throws IOException {
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
