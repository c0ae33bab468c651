package io.voltis.agent.packages.artifact;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The directory an artifact is installed in, owned whole by that artifact. Its marker file
 * ({@value #MARKER}) holds the SHA-256 of the installed download; the marker is written into
 * the staging directory before the swap, so contents and marker always appear together. A new
 * version is staged in a sibling directory ({@code .NAME.voltis-new-*}) and renamed into place;
 * the old one is renamed aside ({@code .NAME.voltis-old-*}) and deleted. Leftovers of a crash
 * in between are deleted by the next install.
 */
final class TargetDir {

    /** NOTE: the marker's name and content (sha256 + newline) are what "already present" means. */
    static final String MARKER = ".voltis-artifact";

    private static final Logger LOG = LoggerFactory.getLogger(TargetDir.class);

    private final Path dir;

    TargetDir(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    Path path() {
        return dir;
    }

    /** Whether the marker records {@code sha256} (lower-case hex). */
    boolean holds(String sha256) {
        return sha256.equals(installed());
    }

    /** The SHA-256 (lower-case hex) the marker records, or null when there is no readable marker. */
    String installed() {
        try {
            String sha = Files.readString(dir.resolve(MARKER), StandardCharsets.US_ASCII).strip().toLowerCase(Locale.ROOT);
            return sha.isEmpty() ? null : sha;
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            LOG.warn("Cannot read {}: {}", dir.resolve(MARKER), e.getMessage());
            return null;
        }
    }

    /** Null when the directory may be replaced; else why not (it holds things Voltis did not put there). */
    String whyNotReplaceable() throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return dir + " exists and is not a directory";
        }
        if (Files.exists(dir.resolve(MARKER), LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        try (Stream<Path> children = Files.list(dir)) {
            return children.findAny().isEmpty() ? null
                    : dir + " holds files that Voltis did not install (no " + MARKER + "); refusing to replace it";
        }
    }

    /** A new, empty, world-readable staging directory beside the target, on the same file system. */
    Path stage() throws IOException {
        Files.createDirectories(dir.getParent());
        deleteLeftovers();
        Path staged = Files.createTempDirectory(dir.getParent(), prefix("new"));
        Files.setPosixFilePermissions(staged, PosixFilePermissions.fromString("rwxr-xr-x"));
        return staged;
    }

    /** Writes the marker into {@code staged} and renames it into place, the old directory aside then away. */
    void install(Path staged, String sha256) throws IOException {
        Files.writeString(staged.resolve(MARKER), sha256 + "\n", StandardCharsets.US_ASCII);
        Path aside = null;
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            aside = Files.createTempDirectory(dir.getParent(), prefix("old")).resolve("old");
            Files.move(dir, aside, StandardCopyOption.ATOMIC_MOVE);
        }
        try {
            Files.move(staged, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            if (aside != null) {
                Files.move(aside, dir, StandardCopyOption.ATOMIC_MOVE);
            }
            throw e;
        }
        if (aside != null) {
            deleteTree(aside.getParent());
        }
    }

    /** Deletes a tree without following links. */
    static void deleteTree(Path root) {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            LOG.warn("Cannot delete {}: {}", root, e.getMessage());
        }
    }

    private void deleteLeftovers() throws IOException {
        DirectoryStream.Filter<Path> ours = p -> p.getFileName().toString().startsWith(prefix("new"))
                || p.getFileName().toString().startsWith(prefix("old"));
        try (DirectoryStream<Path> siblings = Files.newDirectoryStream(dir.getParent(), ours)) {
            for (Path leftover : siblings) {
                LOG.info("Deleting {}, left by an install that did not finish", leftover);
                deleteTree(leftover);
            }
        }
    }

    private String prefix(String kind) {
        return "." + dir.getFileName() + ".voltis-" + kind + "-";
    }
}
