package io.voltis.sync.git;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Keeps what the agent writes under its state directory its own: folders 0700, files 0600
 * (0700 for a file executable in Git). JGit creates the mirror's files with the process umask
 * (0644, packs 0444, folders 0755) and has no setting for it, so the mirror is walked after each
 * change; a walk that finds nothing to change writes nothing.
 */
public final class PrivateModes {

    private static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> EXECUTABLE = PosixFilePermissions.fromString("rwx------");
    private static final FileAttribute<Set<PosixFilePermission>> DIR_ATTRIBUTE = PosixFilePermissions.asFileAttribute(DIR);

    private PrivateModes() {
    }

    /** Creates {@code dir} and its missing parents, each 0700 (the umask cannot add bits to 0700). */
    public static Path createDirectories(Path dir) throws IOException {
        return Files.createDirectories(dir, DIR_ATTRIBUTE);
    }

    /** Sets every folder under {@code dir} (and itself) to 0700 and every file to 0600, or 0700 if its owner may run it. */
    public static void restrict(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                restrictOne(d);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                restrictOne(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE; // JGit's own lock files come and go
                }
                throw e;
            }
        });
    }

    /** One entry; an entry gone meanwhile (a lock file JGit removed) is skipped. */
    private static void restrictOne(Path p) throws IOException {
        try {
            if (Files.isSymbolicLink(p)) {
                return;
            }
            Set<PosixFilePermission> now = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
            Set<PosixFilePermission> want = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? DIR
                    : now.contains(PosixFilePermission.OWNER_EXECUTE) ? EXECUTABLE : FILE;
            if (!now.equals(want)) {
                Files.setPosixFilePermissions(p, want);
            }
        } catch (NoSuchFileException gone) {
            // removed since it was listed
        }
    }
}
