package io.voltis.agent.packages.artifact;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Unpacks one tar, tar.gz or zip into an empty directory that nobody else sees yet (the
 * caller's staging directory). Directories and files are written first and symbolic links
 * last, so no entry is ever written through a link; then every link is checked by
 * {@link PathGuard}. Files get mode 0644 plus the archive's executable bits, directories 0755:
 * no setuid, no group- or world-writable files. Devices, FIFOs and other special entries are
 * refused. Any refusal throws {@link UnsafeEntryException} and leaves the directory half
 * written, for the caller to delete.
 */
final class Unpacker {

    private static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwxr-xr-x");

    private record Link(Path path, String target, String entry) {
    }

    private final Path root;
    private final PathGuard guard;
    private final List<Link> links = new ArrayList<>();

    /** {@code root}: an existing, empty directory without links in its path. */
    Unpacker(Path root) throws IOException {
        this.root = root.toRealPath();
        this.guard = new PathGuard(this.root);
    }

    void unpack(ArchiveType type, Path archive) throws IOException {
        switch (type) {
            case TAR -> tar(archive, false);
            case TAR_GZ -> tar(archive, true);
            case ZIP -> zip(archive);
            default -> throw new IllegalArgumentException(type + " is not an archive");
        }
        createLinks();
    }

    private void tar(Path archive, boolean gzip) throws IOException {
        try (InputStream file = new BufferedInputStream(Files.newInputStream(archive));
             InputStream raw = gzip
                     ? GzipCompressorInputStream.builder().setInputStream(file).setDecompressConcatenated(true).get()
                     : file;
             TarArchiveInputStream tar = new TarArchiveInputStream(raw)) {
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                String name = entry.getName();
                Path out = guard.resolve(name);
                if (entry.isDirectory()) {
                    directory(out);
                } else if (entry.isSymbolicLink()) {
                    links.add(new Link(out, entry.getLinkName(), name));
                } else if (entry.isLink()) {
                    hardLink(out, entry.getLinkName(), name);
                } else if (entry.isFile()) {
                    file(out, name, tar, entry.getMode());
                } else {
                    throw new UnsafeEntryException(name, "is a device, FIFO or other special file");
                }
            }
        }
    }

    private void zip(Path archive) throws IOException {
        try (ZipFile zip = ZipFile.builder().setPath(archive).get()) {
            for (Enumeration<ZipArchiveEntry> e = zip.getEntriesInPhysicalOrder(); e.hasMoreElements(); ) {
                ZipArchiveEntry entry = e.nextElement();
                String name = entry.getName();
                Path out = guard.resolve(name);
                if (entry.isDirectory()) {
                    directory(out);
                } else if (entry.isUnixSymlink()) {
                    links.add(new Link(out, zip.getUnixSymlink(entry), name));
                } else {
                    try (InputStream in = zip.getInputStream(entry)) {
                        file(out, name, in, entry.getPlatform() == ZipArchiveEntry.PLATFORM_UNIX ? entry.getUnixMode() : 0);
                    }
                }
            }
        }
    }

    private void directory(Path out) throws IOException {
        if (!out.equals(root)) {
            Files.createDirectories(out);
            Files.setPosixFilePermissions(out, DIRECTORY);
        }
    }

    private void file(Path out, String name, InputStream content, int mode) throws IOException {
        if (out.equals(root)) {
            throw new UnsafeEntryException(name, "names the target directory itself");
        }
        Files.createDirectories(out.getParent());
        if (Files.isDirectory(out, LinkOption.NOFOLLOW_LINKS)) {
            throw new UnsafeEntryException(name, "is a file where the archive already has a directory");
        }
        Files.copy(content, out, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(out, fileMode(mode));
    }

    /** A tar hard link: a copy of a regular file the archive already wrote. */
    private void hardLink(Path out, String linkName, String name) throws IOException {
        Path source = guard.resolve(linkName);
        if (!Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS)) {
            throw new UnsafeEntryException(name, "is a hard link to '" + linkName + "', which the archive has no file for");
        }
        Files.createDirectories(out.getParent());
        Files.copy(source, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
    }

    private void createLinks() throws IOException {
        for (Link link : links) {
            if (link.path().equals(root)) {
                throw new UnsafeEntryException(link.entry(), "names the target directory itself");
            }
            guard.requireNoLinkAbove(link.path(), link.entry());
            Files.createDirectories(link.path().getParent());
            try {
                Files.createSymbolicLink(link.path(), Path.of(link.target()));
            } catch (InvalidPathException e) {
                throw new UnsafeEntryException(link.entry(), "is a symbolic link to an invalid path");
            } catch (FileAlreadyExistsException e) {
                throw new UnsafeEntryException(link.entry(), "is a symbolic link where the archive already has a file");
            }
        }
        for (Link link : links) {
            guard.requireLinkInside(link.path(), link.entry());
        }
    }

    /** 0644, plus the archive's execute bits: an executable stays executable, nothing else carries over. */
    private static Set<PosixFilePermission> fileMode(int mode) {
        Set<PosixFilePermission> permissions = PosixFilePermissions.fromString("rw-r--r--");
        if ((mode & 0100) != 0) {
            permissions.add(PosixFilePermission.OWNER_EXECUTE);
        }
        if ((mode & 0010) != 0) {
            permissions.add(PosixFilePermission.GROUP_EXECUTE);
        }
        if ((mode & 0001) != 0) {
            permissions.add(PosixFilePermission.OTHERS_EXECUTE);
        }
        return permissions;
    }
}
