package io.voltis.sync.git;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.voltis.model.SourceTree;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.treewalk.CanonicalTreeParser;

/**
 * A commit's tree as a {@link SourceTree}, read straight from the object database with no
 * work tree. Each folder's tree object is parsed once, on first use, so resolving one device
 * reads the root, {@code devices/} and that workload's folders, and nothing else.
 * Submodules (gitlinks) are invisible. Not thread-safe; close it to release the reader.
 */
public final class CommitTree implements SourceTree, AutoCloseable {

    /**
     * One file of the tree, for unpacking: {@code blob} is the Git object id (40 hex digits) of
     * its content (a link's target, for a link; the tree's id for a folder).
     */
    public record File(String path, Kind kind, boolean executable, String blob) {
    }

    private record Node(FileMode mode, ObjectId id) {
    }

    private final ObjectReader reader;
    private final ObjectId root;
    private final String commit;
    private final Map<String, Map<String, Node>> folders = new HashMap<>();

    CommitTree(ObjectReader reader, ObjectId rootTree, String commit) {
        this.reader = reader;
        this.root = rootTree;
        this.commit = commit;
    }

    public String commit() {
        return commit;
    }

    @Override
    public Optional<Entry> stat(String path) throws IOException {
        Optional<Node> node = node(path);
        if (node.isEmpty()) {
            return Optional.empty();
        }
        FileMode mode = node.get().mode();
        if (mode == FileMode.TREE) {
            return Optional.of(Entry.DIRECTORY);
        }
        if (mode == FileMode.SYMLINK) {
            // a link target is a path: never hold more of a (hostile) blob than a path can be
            return Optional.of(new Entry(Kind.SYMLINK, new String(read(node.get().id(), 4096), StandardCharsets.UTF_8)));
        }
        if (mode == FileMode.REGULAR_FILE || mode == FileMode.EXECUTABLE_FILE) {
            return Optional.of(Entry.FILE);
        }
        return Optional.empty();
    }

    @Override
    public byte[] read(String path, int limit) throws IOException {
        Node node = node(path).orElseThrow(() -> new IOException(path + ": not in commit " + commit));
        return read(node.id(), limit);
    }

    /** The bytes of a file of {@link #walk}, at most {@code limit + 1} of them. */
    public byte[] read(File file, int limit) throws IOException {
        return read(ObjectId.fromString(file.blob()), limit);
    }

    /** The size of a file of {@link #walk} in bytes, without reading it. */
    public long size(File file) throws IOException {
        return size(ObjectId.fromString(file.blob()));
    }

    /** Streams a file of {@link #walk}, for unpacking files of any size. */
    public InputStream open(File file) throws IOException {
        return reader.open(ObjectId.fromString(file.blob()), Constants.OBJ_BLOB).openStream();
    }

    /** The bytes of a blob, at most {@code limit + 1} of them (the size is checked first). */
    private byte[] read(ObjectId blob, int limit) throws IOException {
        ObjectLoader loader = reader.open(blob, Constants.OBJ_BLOB);
        if (loader.getSize() <= limit) {
            return loader.getBytes();
        }
        try (InputStream in = loader.openStream()) {
            return in.readNBytes(limit + 1);
        }
    }

    /** The size of a blob in bytes, without reading it. */
    private long size(ObjectId blob) throws IOException {
        return reader.getObjectSize(blob, Constants.OBJ_BLOB);
    }

    /** The blob's size from its object header: no content is inflated. */
    @Override
    public long size(String path) throws IOException {
        return size(node(path).orElseThrow(() -> new IOException(path + ": not in commit " + commit)).id());
    }

    @Override
    public List<String> list(String path) throws IOException {
        Map<String, Node> folder = folder(path);
        return folder == null ? List.of() : folder.keySet().stream().sorted().toList();
    }

    /** Every file, link and folder under {@code path}, depth first, paths relative to {@code path}. */
    public List<File> walk(String path) throws IOException {
        List<File> out = new ArrayList<>();
        walk(path, "", out);
        return out;
    }

    private void walk(String folderPath, String relative, List<File> out) throws IOException {
        Map<String, Node> folder = folder(folderPath);
        if (folder == null) {
            return;
        }
        for (var e : folder.entrySet()) {
            String rel = relative.isEmpty() ? e.getKey() : relative + "/" + e.getKey();
            FileMode mode = e.getValue().mode();
            if (mode == FileMode.TREE) {
                out.add(new File(rel, Kind.DIRECTORY, false, e.getValue().id().name()));
                walk(folderPath + "/" + e.getKey(), rel, out);
            } else if (mode == FileMode.SYMLINK) {
                out.add(new File(rel, Kind.SYMLINK, false, e.getValue().id().name()));
            } else if (mode == FileMode.REGULAR_FILE || mode == FileMode.EXECUTABLE_FILE) {
                out.add(new File(rel, Kind.FILE, mode == FileMode.EXECUTABLE_FILE, e.getValue().id().name()));
            }
        }
    }

    private Optional<Node> node(String path) throws IOException {
        int slash = path.lastIndexOf('/');
        Map<String, Node> parent = folder(slash < 0 ? "" : path.substring(0, slash));
        return parent == null ? Optional.empty() : Optional.ofNullable(parent.get(path.substring(slash + 1)));
    }

    /** The entries of the folder at {@code path}, or null when there is no folder there. */
    private Map<String, Node> folder(String path) throws IOException {
        Map<String, Node> cached = folders.get(path);
        if (cached != null || folders.containsKey(path)) {
            return cached;
        }
        ObjectId id;
        if (path.isEmpty()) {
            id = root;
        } else {
            Optional<Node> node = node(path);
            id = node.isPresent() && node.get().mode() == FileMode.TREE ? node.get().id() : null;
        }
        Map<String, Node> entries = id == null ? null : parse(id);
        folders.put(path, entries);
        return entries;
    }

    private Map<String, Node> parse(ObjectId tree) throws IOException {
        Map<String, Node> entries = new LinkedHashMap<>();
        CanonicalTreeParser parser = new CanonicalTreeParser(null, reader, tree);
        while (!parser.eof()) {
            entries.put(parser.getEntryPathString(), new Node(parser.getEntryFileMode(), parser.getEntryObjectId()));
            parser.next(1);
        }
        return entries;
    }

    @Override
    public void close() {
        reader.close();
    }

    @Override
    public String toString() {
        return "commit " + commit;
    }
}
