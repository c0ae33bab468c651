package io.voltis.sync.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.Deflater;

import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEditor;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.internal.storage.file.FileRepository;
import org.eclipse.jgit.internal.storage.file.PackInserter;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;

/**
 * One commit in progress on a branch: the head's tree in an in-core DirCache (never the file
 * system) plus puts and removals; blobs, tree and commit go into one new pack, then the branch
 * moves only if nobody moved it meanwhile.
 */
final class StagedCommit {

    private final DirCache cache;
    private final DirCacheEditor editor;
    private final ObjectInserter ins;

    private StagedCommit(DirCache cache, ObjectInserter ins) {
        this.cache = cache;
        this.editor = cache.editor();
        this.ins = ins;
    }

    /**
     * Commits the changes {@code edits} stages on top of {@code ref} (a root commit if it does not
     * exist) and returns the new SHA. {@code bulk} trades compression for speed.
     */
    static String commit(Repository repo, String ref, PersonIdent who, String message, boolean bulk,
            Consumer<StagedCommit> edits) throws IOException {
        try (PackInserter ins = ((FileRepository) repo).getObjectDatabase().newPackInserter();
                ObjectReader reader = ins.newReader();
                RevWalk walk = new RevWalk(reader)) {
            if (bulk) {
                ins.checkExisting(false);
                ins.setCompressionLevel(Deflater.BEST_SPEED);
            }
            Ref old = repo.exactRef(ref);
            ObjectId parent = old == null ? null : old.getObjectId();
            DirCache cache = DirCache.newInCore();
            DirCacheBuilder builder = cache.builder();
            if (parent != null) {
                builder.addTree(new byte[0], DirCacheEntry.STAGE_0, reader, walk.parseCommit(parent).getTree());
            }
            builder.finish();
            StagedCommit staged = new StagedCommit(cache, ins);
            edits.accept(staged);
            staged.editor.finish();

            CommitBuilder commit = new CommitBuilder();
            commit.setTreeId(cache.writeTree(ins));
            if (parent != null) {
                commit.setParentId(parent);
            }
            commit.setAuthor(who);
            commit.setCommitter(who);
            commit.setMessage(message);
            ObjectId id = ins.insert(commit);
            ins.flush();
            RefUpdate ru = repo.updateRef(ref);
            ru.setExpectedOldObjectId(parent == null ? ObjectId.zeroId() : parent);
            ru.setNewObjectId(id);
            ru.disableRefLog();
            check(ru.update(walk), ref, RefUpdate.Result.NEW, RefUpdate.Result.FAST_FORWARD);
            return id.name();
        }
    }

    /** Fails unless a ref update ended in one of the {@code ok} results. */
    static void check(RefUpdate.Result result, String ref, RefUpdate.Result... ok) {
        if (!List.of(ok).contains(result)) {
            throw new IllegalStateException(ref + ": ref update " + result);
        }
    }

    /** Adds or replaces the file (or symlink) at {@code path}. */
    void put(String path, FileMode mode, byte[] data) {
        ObjectId blob;
        try {
            blob = ins.insert(Constants.OBJ_BLOB, data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        editor.add(new DirCacheEditor.PathEdit(path) {
            @Override
            public void apply(DirCacheEntry entry) {
                entry.setFileMode(mode);
                entry.setObjectId(blob);
                entry.setLength(data.length);
            }
        });
    }

    /** Adds or replaces the regular file at {@code path} with the content of {@code source}, streamed into Git. */
    void putFile(String path, Path source) {
        ObjectId blob;
        long length;
        try (java.io.InputStream in = Files.newInputStream(source)) {
            length = Files.size(source);
            blob = ins.insert(Constants.OBJ_BLOB, length, in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        editor.add(new DirCacheEditor.PathEdit(path) {
            @Override
            public void apply(DirCacheEntry entry) {
                entry.setFileMode(FileMode.REGULAR_FILE);
                entry.setObjectId(blob);
                entry.setLength(length);
            }
        });
    }

    /** Adds every regular file and symlink (not followed) under {@code folder}, keeping executable bits. */
    void putCopyOf(Path folder) {
        try (Stream<Path> walk = Files.walk(folder)) {
            for (Path p : (Iterable<Path>) walk.sorted()::iterator) {
                String path = folder.relativize(p).toString().replace('\\', '/');
                if (Files.isSymbolicLink(p)) {
                    put(path, FileMode.SYMLINK, Files.readSymbolicLink(p).toString().getBytes(StandardCharsets.UTF_8));
                } else if (Files.isRegularFile(p)) {
                    put(path, Files.isExecutable(p) ? FileMode.EXECUTABLE_FILE : FileMode.REGULAR_FILE,
                            Files.readAllBytes(p));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + folder, e);
        }
    }

    /** Removes the file at {@code path}, or the folder's whole subtree; false if neither exists. */
    boolean remove(String path) {
        if (cache.findEntry(path) >= 0) {
            editor.add(new DirCacheEditor.DeletePath(path));
        } else if (cache.getEntriesWithin(path).length > 0) {
            editor.add(new DirCacheEditor.DeleteTree(path));
        } else {
            return false;
        }
        return true;
    }
}
