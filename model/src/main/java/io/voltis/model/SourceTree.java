package io.voltis.model;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * A read-only tree of files: a directory on disk, or a commit in Git. Paths are relative,
 * '/'-separated, "" is the root. Implementations never follow a symlink on their own: the
 * model resolves links itself so that no path can leave the tree.
 */
public interface SourceTree {

    enum Kind { FILE, DIRECTORY, SYMLINK }

    /** What is at a path; {@code linkTarget} is set for symlinks only. */
    record Entry(Kind kind, String linkTarget) {
        public static final Entry FILE = new Entry(Kind.FILE, null);
        public static final Entry DIRECTORY = new Entry(Kind.DIRECTORY, null);
    }

    /**
     * What is at {@code path}, not following a symlink there. Callers resolve the parents
     * first ({@link PathGuard}), so an implementation may assume none of them is a link.
     */
    Optional<Entry> stat(String path) throws IOException;

    /**
     * The bytes of the regular file at {@code path}, at most {@code limit + 1} of them, so a
     * caller can tell a file over its limit without holding all of it.
     */
    byte[] read(String path, int limit) throws IOException;

    /** The size in bytes of the regular file at {@code path}, found without reading its content. */
    long size(String path) throws IOException;

    /** The names in the directory at {@code path}, sorted; empty when it is no directory. */
    List<String> list(String path) throws IOException;
}
