package io.voltis.sync;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.voltis.model.DeviceResolver;
import io.voltis.model.SourceTree;
import io.voltis.model.WorkloadLoader;
import io.voltis.sync.git.CommitTree;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.TreeFormatter;

/**
 * The archive the store keeps of each applied revision, so a restart, a rollback or a pin
 * restores it when the Git mirror lacks the commit (mirror deleted or damaged, history gone,
 * the server down): the device file and the workload folder, at their paths in the repo (below
 * {@code path:}), as a tar.gz ({@link Archives}). Restoring yields the same unpacked folder and
 * the same Git ids for its files as unpacking the commit, so the services' fingerprints do not
 * change: nothing restarts because a revision came from the archive.
 */
public final class RevisionArchive {

    private RevisionArchive() {
    }

    /** Writes {@code ready}'s archive to {@code out} (not closed), streaming its files. */
    public static void pack(Preparation.Ready ready, OutputStream out) throws IOException {
        Archives.pack(out, Map.of(WorkloadLoader.FOLDER + "/" + ready.resolution().workload().name(), ready.dir()),
                Map.of(ready.resolution().match().file(), ready.deviceFile()));
    }

    /** For small revisions (tests, tools): the archive as bytes. */
    public static byte[] pack(Preparation.Ready ready) throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        pack(ready, bytes);
        return bytes.toByteArray();
    }

    /**
     * Unpacks an archive read from {@code in} into {@code tree} (which must not exist): the repo's
     * device file and workload folder at their paths.
     *
     * @throws IOException also when the archive holds no device file: kept by an agent older than
     *                     this format (docs/decisions/0028), it cannot be restored without Git
     */
    static void unpack(InputStream in, Path tree) throws IOException {
        Archives.unpack(in, tree);
        if (!Files.isDirectory(tree.resolve(DeviceResolver.FOLDER))) {
            throw new IOException("the archive holds no device file (kept by an older agent): restore it from Git");
        }
    }

    /** Moves the workload folder of an unpacked archive to {@code target} (unless it is there already). */
    static Path moveWorkload(Path tree, String workload, Path target) throws IOException {
        if (!Files.isDirectory(target)) {
            Files.move(tree.resolve(WorkloadLoader.FOLDER).resolve(workload), target, StandardCopyOption.ATOMIC_MOVE);
        }
        return target;
    }

    /**
     * The files under {@code dir} as {@link CommitTree#walk} lists a commit's folder: depth first,
     * in Git's tree order, with each file's blob id and each folder's tree id.
     */
    public static List<CommitTree.File> walk(Path dir) throws IOException {
        List<CommitTree.File> out = new ArrayList<>();
        tree(dir, "", out);
        return out;
    }

    private static ObjectId tree(Path dir, String relative, List<CommitTree.File> out) throws IOException {
        List<Path> entries;
        try (Stream<Path> list = Files.list(dir)) {
            entries = list.sorted(Comparator.comparing(RevisionArchive::gitOrder)).toList();
        }
        TreeFormatter formatter = new TreeFormatter();
        ObjectInserter.Formatter ids = new ObjectInserter.Formatter();
        for (Path p : entries) {
            String name = p.getFileName().toString();
            String rel = relative.isEmpty() ? name : relative + "/" + name;
            if (Files.isSymbolicLink(p)) {
                byte[] target = Files.readSymbolicLink(p).toString().getBytes(StandardCharsets.UTF_8);
                ObjectId id = ids.idFor(Constants.OBJ_BLOB, target);
                out.add(new CommitTree.File(rel, SourceTree.Kind.SYMLINK, false, id.name()));
                formatter.append(name, FileMode.SYMLINK, id);
            } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                int at = out.size();
                out.add(null);
                ObjectId id = tree(p, rel, out);
                out.set(at, new CommitTree.File(rel, SourceTree.Kind.DIRECTORY, false, id.name()));
                formatter.append(name, FileMode.TREE, id);
            } else {
                ObjectId id;
                try (InputStream in = Files.newInputStream(p)) {
                    id = ids.idFor(Constants.OBJ_BLOB, Files.size(p), in);
                }
                boolean executable = Files.isExecutable(p);
                out.add(new CommitTree.File(rel, SourceTree.Kind.FILE, executable, id.name()));
                formatter.append(name, executable ? FileMode.EXECUTABLE_FILE : FileMode.REGULAR_FILE, id);
            }
        }
        return formatter.computeId(ids);
    }

    /** Git sorts a tree's entries by their names' bytes, a folder's name as if it ended in '/'. */
    private static String gitOrder(Path p) {
        String name = p.getFileName().toString();
        String key = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? name + "/" : name;
        // ISO-8859-1 of the UTF-8 bytes: compares as unsigned bytes, as Git does
        return new String(key.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }
}
