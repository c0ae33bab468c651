package io.voltis.sync;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;

import io.voltis.model.SourceTree;
import io.voltis.sync.git.CommitTree;

/**
 * Writes a workload folder from a commit into {@code <revisions>/<sha>/}: first into a
 * temporary folder beside it, flushed to disk, then renamed in one atomic step. A crash leaves
 * either no folder or a complete one (and a temporary folder that the next start removes).
 * Files are 0600 (0700 when executable in Git), folders 0700: state is the agent's alone.
 */
public final class Unpacker {

    private static final String TEMP_PREFIX = ".tmp-";

    private final Path revisions;

    public Unpacker(Path revisions) {
        this.revisions = revisions;
    }

    /** Where revision {@code sha} is (or would be) unpacked. */
    public Path dir(String sha) {
        return revisions.resolve(sha);
    }

    /**
     * Unpacks {@code folder} of {@code tree} for {@code sha}, unless it is already there. Each
     * file is streamed from Git to disk, so memory does not grow with its size.
     */
    public Path unpack(CommitTree tree, String folder, String sha) throws IOException {
        Path target = dir(sha);
        if (Files.isDirectory(target)) {
            return target;
        }
        io.voltis.sync.git.PrivateModes.createDirectories(revisions);
        Path temp = Files.createTempDirectory(revisions, TEMP_PREFIX + sha + "-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try {
            for (CommitTree.File f : tree.walk(folder)) {
                Path out = temp.resolve(f.path());
                if (f.kind() == SourceTree.Kind.DIRECTORY) {
                    Files.createDirectory(out, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } else if (f.kind() == SourceTree.Kind.SYMLINK) {
                    // the model refused links that leave the workload folder before we got here
                    Files.createSymbolicLink(out, Path.of(new String(tree.read(f, 4096), java.nio.charset.StandardCharsets.UTF_8)));
                } else {
                    write(tree, f, out);
                }
            }
            force(temp);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot rename " + temp + " atomically: " + e.getMessage(), e);
            }
            force(revisions);
            return target;
        } finally {
            if (Files.exists(temp)) {
                delete(temp);
            }
        }
    }

    /** Removes temporary folders a crash left behind; returns how many. */
    public int removeLeftovers() throws IOException {
        if (!Files.isDirectory(revisions)) {
            return 0;
        }
        // a folder an earlier version created 0755
        Files.setPosixFilePermissions(revisions, PosixFilePermissions.fromString("rwx------"));
        int removed = 0;
        try (Stream<Path> list = Files.list(revisions)) {
            for (Path p : list.filter(p -> p.getFileName().toString().startsWith(TEMP_PREFIX)).toList()) {
                delete(p);
                removed++;
            }
        }
        return removed;
    }

    /** Deletes unpacked revisions other than {@code keep}; returns how many went. */
    public int prune(java.util.Set<String> keep) throws IOException {
        if (!Files.isDirectory(revisions)) {
            return 0;
        }
        int removed = 0;
        try (Stream<Path> list = Files.list(revisions)) {
            for (Path p : list.toList()) {
                String name = p.getFileName().toString();
                if (name.matches("[0-9a-f]{40}") && !keep.contains(name)) {
                    delete(p);
                    removed++;
                }
            }
        }
        return removed;
    }

    private static void write(CommitTree tree, CommitTree.File f, Path out) throws IOException {
        String mode = f.executable() ? "rwx------" : "rw-------";
        Files.createFile(out, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode)));
        try (InputStream in = tree.open(f); FileChannel channel = FileChannel.open(out, StandardOpenOption.WRITE);
             OutputStream sink = java.nio.channels.Channels.newOutputStream(channel)) {
            in.transferTo(sink);
            channel.force(true);
        }
    }

    /** Flushes a directory's entries to disk (Linux allows opening a directory for this). */
    private static void force(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // not every file system allows it; the rename is still atomic
        }
    }

    /** Removes {@code dir} and what it holds; what cannot be removed is left for {@link #removeLeftovers}. */
    static void deleteQuietly(Path dir) {
        try {
            delete(dir);
        } catch (IOException e) {
            // a .tmp- leftover: removed at the next start
        }
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
