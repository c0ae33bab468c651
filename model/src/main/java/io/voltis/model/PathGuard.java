package io.voltis.model;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The rules for paths written in workload files. A source must name a regular file inside its
 * workload folder, following symlinks only while they stay inside it; a target must stay under
 * the agent's root. Each check returns a user-facing reason, or the resolved path.
 */
public final class PathGuard {

    private static final int MAX_LINKS = 40;

    private PathGuard() {
    }

    /** The outcome of resolving a source: the real path inside the tree, or why there is none. */
    public record Resolved(String path, String problem) {
        public boolean ok() {
            return problem == null;
        }
    }

    /**
     * Resolves {@code source}, written in the workload at {@code base} (a tree path such as
     * {@code workloads/gw}), to a regular file in that folder.
     */
    public static Resolved source(SourceTree tree, String base, String source) throws IOException {
        if (source.isEmpty()) {
            return new Resolved(null, "must not be empty");
        }
        if (source.indexOf('\0') >= 0) {
            return new Resolved(null, "contains a NUL character");
        }
        if (source.startsWith("/")) {
            return new Resolved(null, "'" + source + "' is absolute; sources are relative to " + base + "/");
        }
        List<String> segments = segments(source);
        if (segments.contains("..")) {
            return new Resolved(null, "'" + source + "' leaves the workload folder (..)");
        }
        Deque<String> todo = new ArrayDeque<>(segments);
        List<String> done = new ArrayList<>();
        int links = 0;
        while (!todo.isEmpty()) {
            String name = todo.pop();
            String current = base + "/" + String.join("/", done) + (done.isEmpty() ? "" : "/") + name;
            var entry = tree.stat(current);
            if (entry.isEmpty()) {
                return new Resolved(null, "'" + source + "' does not exist in " + base + "/");
            }
            if (entry.get().kind() == SourceTree.Kind.SYMLINK) {
                if (++links > MAX_LINKS) {
                    return new Resolved(null, "'" + source + "' has too many levels of symlinks");
                }
                String target = entry.get().linkTarget();
                if (target.startsWith("/")) {
                    return new Resolved(null, "'" + source + "' is a symlink to an absolute path, outside " + base + "/");
                }
                List<String> rest = new ArrayList<>(segments(target));
                rest.addAll(todo);
                todo.clear();
                for (String part : rest) {
                    if (part.equals("..")) {
                        if (done.isEmpty()) {
                            return new Resolved(null, "'" + source + "' is a symlink that leaves " + base + "/");
                        }
                        done.remove(done.size() - 1);
                    } else {
                        todo.add(part);
                    }
                }
                // the dot-dots are consumed; what is left is walked again from `done`
                continue;
            }
            if (entry.get().kind() == SourceTree.Kind.FILE && !todo.isEmpty()) {
                return new Resolved(null, "'" + source + "' does not exist in " + base + "/");
            }
            done.add(name);
        }
        String resolved = base + "/" + String.join("/", done);
        var last = tree.stat(resolved);
        if (last.isEmpty() || last.get().kind() != SourceTree.Kind.FILE) {
            return new Resolved(null, "'" + source + "' is not a regular file");
        }
        return new Resolved(resolved, null);
    }

    /**
     * Why the symlink at {@code link} (relative to {@code base}) leaves {@code base}, or null when
     * it points inside it (at a file, a folder, or nothing yet).
     */
    public static String linkProblem(SourceTree tree, String base, String link) throws IOException {
        String target = tree.stat(base + "/" + link).map(SourceTree.Entry::linkTarget).orElse("");
        if (target.startsWith("/")) {
            return "symlink to an absolute path (" + target + "); links must stay inside " + base + "/";
        }
        List<String> at = new ArrayList<>(segments(link));
        at.remove(at.size() - 1);
        for (String part : segments(target)) {
            if (part.equals("..")) {
                if (at.isEmpty()) {
                    return "symlink to " + target + " leaves " + base + "/";
                }
                at.remove(at.size() - 1);
            } else {
                at.add(part);
            }
        }
        return null;
    }

    /** Why {@code target} may not be written under the root, or null when it may. */
    public static String targetProblem(String target) {
        List<String> segments = segments(target);
        if (segments.isEmpty()) {
            return "must name a file under the root";
        }
        if (segments.contains("..")) {
            return "'" + target + "' leaves the root (..)";
        }
        if (target.contains("\0")) {
            return "contains a NUL character";
        }
        return null;
    }

    /** {@code target} as a path relative to the root: leading '/' and '.' segments dropped. */
    public static String normalizeTarget(String target) {
        return String.join("/", segments(target));
    }

    private static List<String> segments(String path) {
        List<String> out = new ArrayList<>();
        for (String s : path.split("/")) {
            if (!s.isEmpty() && !s.equals(".")) {
                out.add(s);
            }
        }
        return out;
    }
}
