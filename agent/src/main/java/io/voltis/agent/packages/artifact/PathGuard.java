package io.voltis.agent.packages.artifact;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Keeps everything an archive creates inside one directory. Entry names are checked as text
 * (no absolute path, nothing that normalizes to above the root); links are checked after the
 * fact by walking them on disk inside the root, the way the kernel would, so chains of links
 * ({@code a -> .}, {@code b -> a/..}) cannot climb out either.
 */
final class PathGuard {

    /** Link hops allowed while resolving one path, as Linux's MAXSYMLINKS. */
    private static final int MAX_HOPS = 40;

    private final Path root;

    /** {@code root} must be absolute, normalized and free of symbolic links. */
    PathGuard(Path root) {
        this.root = root;
    }

    /** Where entry {@code name} goes; refused when absolute or when it leaves the root. */
    Path resolve(String name) throws UnsafeEntryException {
        if (name.startsWith("/")) {
            throw new UnsafeEntryException(name, "is an absolute path");
        }
        Path out;
        try {
            out = root.resolve(name).normalize();
        } catch (InvalidPathException e) {
            throw new UnsafeEntryException(name, "is not a valid path");
        }
        if (!out.startsWith(root)) {
            throw new UnsafeEntryException(name, "leaves the target directory");
        }
        return out;
    }

    /** Refuses when a directory between the root and {@code path} is a symbolic link. */
    void requireNoLinkAbove(Path path, String name) throws UnsafeEntryException {
        for (Path p = path.getParent(); p != null && p.startsWith(root) && !p.equals(root); p = p.getParent()) {
            if (Files.isSymbolicLink(p)) {
                throw new UnsafeEntryException(name, "is inside a symbolic link");
            }
        }
    }

    /** Refuses a link whose target, followed on disk through any further links, leaves the root. */
    void requireLinkInside(Path link, String name) throws IOException {
        Path target = Files.readSymbolicLink(link);
        if (target.isAbsolute()) {
            throw new UnsafeEntryException(name, "is a symbolic link to an absolute path (" + target + ")");
        }
        if (follow(link.getParent(), target, new int[1]) == null) {
            throw new UnsafeEntryException(name, "is a symbolic link that points outside the target (" + target + ")");
        }
    }

    /**
     * Where {@code relative}, taken from directory {@code dir}, lands with every link on the way
     * followed; null when it climbs above the root, meets an absolute link or loops.
     */
    private Path follow(Path dir, Path relative, int[] hops) throws IOException {
        Path current = dir;
        for (Path part : relative) {
            String s = part.toString();
            if (s.isEmpty() || s.equals(".")) {
                continue;
            }
            if (s.equals("..")) {
                if (current.equals(root)) {
                    return null;
                }
                current = current.getParent();
                continue;
            }
            Path next = current.resolve(s);
            if (!Files.isSymbolicLink(next)) {
                current = next;
                continue;
            }
            Path target = Files.readSymbolicLink(next);
            if (target.isAbsolute() || ++hops[0] > MAX_HOPS) {
                return null;
            }
            current = follow(current, target, hops);
            if (current == null) {
                return null;
            }
        }
        return current;
    }
}
