package io.voltis.sync.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.internal.storage.file.FileRepository;
import org.eclipse.jgit.internal.storage.file.GC;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.lib.TagBuilder;

/**
 * A real bare "origin" repository on disk whose history tests script: commits on {@code main},
 * tags, force-pushes, deleted branches and garbage collection. Commits are built straight into
 * the object database (no work tree), so they are ordinary objects that any Git client, JGit or
 * the {@code git} CLI, can fetch over file://, {@link GitHttpServer} or {@link GitSshServer}.
 *
 * <p>Guarantees: every mutating method returns only after the ref is updated on disk, so a client
 * started afterwards sees it. Commit SHAs are deterministic: a fixed author and a clock starting
 * at 2025-01-01T00:00:00Z that advances one second per commit or annotated tag. No
 * reflogs are written, so {@link #pruneUnreachable()} really removes a dropped commit. Paths are
 * '/'-separated and relative to the repository root. Methods are synchronized; one instance may be
 * shared by a test thread and servers.
 */
public final class TestRepo implements AutoCloseable {

    /** NOTE: tests that look up files made by {@link #commitManyFiles} rely on this format. */
    public static final String MANY_FILES_NAME = "file-%06d.txt";

    private static final String MAIN = "main";
    private static final Instant EPOCH = Instant.parse("2025-01-01T00:00:00Z");

    private final Path dir;
    private final Repository repo;
    private long ticks;
    private Instant epoch = EPOCH;

    private TestRepo(Path dir, Repository repo) {
        this.dir = dir;
        this.repo = repo;
    }

    /** Creates an empty bare repository in {@code dir} whose HEAD points at {@code main}. */
    public static TestRepo create(Path dir) {
        try {
            Files.createDirectories(dir);
            Git git = Git.init().setBare(true).setDirectory(dir.toFile()).setInitialBranch(MAIN).call();
            return new TestRepo(dir.toAbsolutePath(), git.getRepository());
        } catch (GitAPIException | IOException e) {
            throw new IllegalStateException("cannot create test repo in " + dir, e);
        }
    }

    /**
     * Creates a repository whose first commit holds a copy of folder {@code contents}: regular
     * files, executable bits and symlinks (not followed) are kept; empty folders are not, as in Git.
     */
    public static TestRepo fromDirectory(Path dir, Path contents, String message) {
        TestRepo repo = create(dir);
        try {
            repo.change(message, false, staged -> staged.putCopyOf(contents));
        } catch (RuntimeException e) {
            repo.close();
            throw e;
        }
        return repo;
    }

    /** Adds or replaces UTF-8 text files on {@code main}; returns the new commit's SHA. */
    public String commit(String message, Map<String, String> files) {
        Map<String, byte[]> bytes = new LinkedHashMap<>();
        files.forEach((path, text) -> bytes.put(path, text.getBytes(StandardCharsets.UTF_8)));
        return commitBytes(message, bytes);
    }

    /** Adds or replaces regular (non-executable) files on {@code main}; returns the new SHA. */
    public synchronized String commitBytes(String message, Map<String, byte[]> files) {
        return change(message, false, staged ->
                files.forEach((path, data) -> staged.put(path, FileMode.REGULAR_FILE, data)));
    }

    /**
     * Adds or replaces the regular file {@code path} on {@code main} with the content of the file
     * {@code source}, streamed (for files too large to hold); returns the new SHA.
     */
    public synchronized String commitFile(String message, String path, Path source) {
        return change(message, false, staged -> staged.putFile(path, source));
    }

    /** Adds or replaces one executable file on {@code main}; returns the new SHA. */
    public synchronized String commitExecutable(String message, String path, String text) {
        return change(message, false, staged ->
                staged.put(path, FileMode.EXECUTABLE_FILE, text.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Deletes files or whole folders on {@code main}; returns the new SHA.
     *
     * @throws IllegalArgumentException if a path names neither a file nor a folder at the head
     */
    public synchronized String delete(String message, String... paths) {
        return change(message, false, staged -> {
            for (String path : paths) {
                if (!staged.remove(path)) {
                    throw new IllegalArgumentException(path + ": no such file or folder on main in " + dir);
                }
            }
        });
    }

    /** Adds or replaces a symlink {@code path -> target} on {@code main}; returns the new SHA. */
    public synchronized String symlink(String message, String path, String target) {
        return change(message, false, staged ->
                staged.put(path, FileMode.SYMLINK, target.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Adds {@code count} small files {@code folder/file-000000.txt ...} (see {@link #MANY_FILES_NAME})
     * whose content is {@code "file <i>\n"}, written as one pack; returns the new SHA.
     */
    public synchronized String commitManyFiles(String message, String folder, int count) {
        return change(message, true, staged -> {
            for (int i = 0; i < count; i++) {
                String path = folder + "/" + String.format(MANY_FILES_NAME, i);
                staged.put(path, FileMode.REGULAR_FILE, ("file " + i + "\n").getBytes(StandardCharsets.UTF_8));
            }
        });
    }

    /** Creates or moves the lightweight tag {@code refs/tags/<name>} to {@code sha}. */
    public synchronized void tag(String name, String sha) {
        setRef(Constants.R_TAGS + name, existing(sha));
    }

    /** Creates or moves the annotated tag {@code name} to {@code sha}; returns the tag object's SHA. */
    public synchronized String annotatedTag(String name, String sha, String message) {
        ObjectId target = existing(sha);
        try (ObjectInserter ins = repo.newObjectInserter(); ObjectReader reader = repo.newObjectReader()) {
            TagBuilder tag = new TagBuilder();
            tag.setObjectId(target, reader.open(target).getType());
            tag.setTag(name);
            tag.setTagger(nextIdent());
            tag.setMessage(message);
            ObjectId id = ins.insert(tag);
            ins.flush();
            setRef(Constants.R_TAGS + name, id);
            return id.name();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Force-moves (or creates) {@code branch} to {@code sha}: commits after it drop out of the branch. */
    public synchronized void resetBranch(String branch, String sha) {
        setRef(Constants.R_HEADS + branch, existing(sha));
    }

    /** Deletes {@code branch}, {@code main} included; the objects stay until {@link #pruneUnreachable()}. */
    public synchronized void deleteBranch(String branch) {
        RefUpdate ru = io(() -> repo.updateRef(Constants.R_HEADS + branch));
        ru.setForceUpdate(true);
        ru.disableRefLog();
        StagedCommit.check(io(ru::delete), branch, RefUpdate.Result.FORCED, RefUpdate.Result.NO_CHANGE);
    }

    /** The SHA {@code main} points at, or null if it has no commit. */
    public String head() {
        return head(MAIN);
    }

    /** The SHA {@code branch} points at, or null if there is no such branch. */
    public synchronized String head(String branch) {
        Ref ref = io(() -> repo.exactRef(Constants.R_HEADS + branch));
        return ref == null ? null : ref.getObjectId().name();
    }

    /** Lets clients fetch any object by SHA, reachable or not ({@code uploadpack.allowAnySHA1InWant}). */
    public synchronized void allowAnySha1InWant() {
        StoredConfig cfg = repo.getConfig();
        cfg.setBoolean("uploadpack", null, "allowanysha1inwant", true);
        io(() -> {
            cfg.save();
            return null;
        });
    }

    /** Repacks and deletes every object that no ref reaches: a dropped commit is then gone for good. */
    public synchronized void pruneUnreachable() {
        GC gc = new GC((FileRepository) repo);
        Instant future = Instant.now().plusSeconds(3600); // "older than the future" = everything
        gc.setExpire(future);
        gc.setPackExpire(future);
        try {
            gc.gc().get();
        } catch (Exception e) {
            throw new IllegalStateException("gc failed in " + dir, e);
        }
    }

    public Path dir() {
        return dir;
    }

    /** {@code file://} + absolute path (not percent-encoded), for JGit and the {@code git} CLI. */
    public String fileUrl() {
        return "file://" + dir;
    }

    /** The bare repository; servers share it, and {@link #close()} closes it. */
    public Repository repository() {
        return repo;
    }

    @Override
    public void close() {
        repo.close();
    }

    /** Commits the changes {@code edits} stages on {@code main}; returns the new SHA. */
    private synchronized String change(String message, boolean bulk, Consumer<StagedCommit> edits) {
        return io(() -> StagedCommit.commit(repo, Constants.R_HEADS + MAIN, nextIdent(), message, bulk, edits));
    }

    private interface IoCall<T> {
        T call() throws IOException;
    }

    private static <T> T io(IoCall<T> call) {
        try {
            return call.call();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void setRef(String ref, ObjectId id) {
        RefUpdate ru = io(() -> repo.updateRef(ref));
        ru.setNewObjectId(id);
        ru.setForceUpdate(true);
        ru.disableRefLog();
        StagedCommit.check(io(ru::update), ref, RefUpdate.Result.NEW, RefUpdate.Result.FORCED,
                RefUpdate.Result.FAST_FORWARD, RefUpdate.Result.NO_CHANGE);
    }

    private ObjectId existing(String sha) {
        ObjectId id = ObjectId.fromString(sha);
        if (!io(() -> repo.getObjectDatabase().has(id))) {
            throw new IllegalArgumentException(sha + ": no such object in " + dir);
        }
        return id;
    }

    /** The next commits' times: {@code start}, then a second later each (by default from 2025-01-01, so SHAs repeat). */
    public synchronized void commitTimesFrom(Instant start) {
        epoch = start;
        ticks = 0;
    }

    private PersonIdent nextIdent() {
        return new PersonIdent("Voltis Test", "test@voltis.invalid", epoch.plusSeconds(ticks++), ZoneOffset.UTC);
    }
}
