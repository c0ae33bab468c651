package io.voltis.sync.git;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.eclipse.jgit.api.FetchCommand;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.AbbreviatedObjectId;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.RepositoryCache;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.FetchConnection;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.TagOpt;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.util.FS;

/**
 * The bare mirror of one branch under the state directory, and the remote it follows.
 *
 * <p>The head check is as cheap as the transport allows: for a local repository it reads the
 * ref straight from the remote's files; otherwise it opens a {@link Transport} for the check,
 * asks for that one ref (protocol v2 {@code ref-prefix}) and closes it: no connection is held
 * between polls. Fetching happens
 * only when asked: the first fetch is shallow (depth 1); later ones are incremental, so a
 * one-file change brings one commit, one tree path and one blob. A pinned commit that is not
 * here is fetched by id and kept by a ref under {@code refs/voltis/keep/}.
 *
 * <p>Not thread-safe: the poller owns it.
 */
public final class GitMirror implements AutoCloseable {

    private static final String KEEP = "refs/voltis/keep/";

    private final GitSourceSpec spec;
    private Repository repo;
    private boolean recreated;
    private final Remote remote;
    private final String branchRef;
    private Repository localRemote;

    private GitMirror(GitSourceSpec spec, Repository repo, Remote remote) {
        this.spec = spec;
        this.repo = repo;
        this.remote = remote;
        this.branchRef = Constants.R_HEADS + spec.branch();
    }

    /** Opens (creating if needed) the mirror in {@code dir}; SSH files go to {@code sshDir}. */
    public static GitMirror open(Path dir, Path sshDir, GitSourceSpec spec) throws SourceException {
        JGitIsolation.install();
        Remote remote = Remote.of(spec, sshDir);
        try {
            return new GitMirror(spec, openRepository(dir, spec), remote);
        } catch (SourceException e) {
            remote.close();
            throw e;
        }
    }

    private static Repository openRepository(Path dir, GitSourceSpec spec) throws SourceException {
        try {
            if (!Files.exists(dir.resolve("HEAD"))) {
                PrivateModes.createDirectories(dir);
                Git.init().setBare(true).setDirectory(dir.toFile()).setInitialBranch(spec.branch()).call().close();
            }
            PrivateModes.restrict(dir);
            return new FileRepositoryBuilder().setGitDir(dir.toFile()).setMustExist(true).build();
        } catch (IOException | GitAPIException e) {
            throw new SourceException(Reason.LOCAL_ERROR, "cannot open the Git mirror " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * The mirror removed under the agent (the state directory deleted) is created again, empty:
     * the next fetch fills it. Without this every fetch would fail for good.
     */
    private void reopenIfRemoved() throws SourceException {
        Path dir = repo.getDirectory().toPath();
        if (Files.exists(dir.resolve("HEAD"))) {
            return;
        }
        repo.close();
        repo = openRepository(dir, spec);
        recreated = true;
    }

    /** Whether the mirror was found removed and created again since the last call; for the log. */
    public boolean recreatedSinceAsked() {
        boolean was = recreated;
        recreated = false;
        return was;
    }

    private void restrictModes() throws SourceException {
        try {
            PrivateModes.restrict(repo.getDirectory().toPath());
        } catch (IOException e) {
            throw new SourceException(Reason.LOCAL_ERROR, "cannot make the Git mirror " + repo.getDirectory()
                    + " private (0700/0600): " + e.getMessage(), e);
        }
    }

    public GitSourceSpec spec() {
        return spec;
    }

    /**
     * Whether the head check reads the remote's files (a file:// or plain-path remote) rather than
     * asking a server: then a check costs no request, and a fetch is never cheaper than one.
     */
    public boolean checksLocally() {
        return remote.local;
    }

    /** The branch head on the remote; BRANCH_NOT_FOUND when the remote has no such branch. */
    public String remoteHead() throws SourceException {
        reopenIfRemoved();
        Ref ref = remote.local ? localRemoteRef(branchRef) : remoteRef(branchRef);
        if (ref == null || ref.getObjectId() == null) {
            throw new SourceException(Reason.BRANCH_NOT_FOUND, "branch '" + spec.branch() + "' not found in "
                    + spec.displayUrl());
        }
        return ref.getObjectId().name();
    }

    /** The commit a tag names on the remote, peeled; empty when there is no such tag. */
    public Optional<String> remoteTag(String tag) throws SourceException {
        String name = Constants.R_TAGS + tag;
        Ref ref = remote.local ? localRemoteRef(name) : remoteRef(name);
        if (ref == null) {
            return Optional.empty();
        }
        ObjectId peeled = ref.getPeeledObjectId() != null ? ref.getPeeledObjectId() : ref.getObjectId();
        return Optional.of(peeled.name());
    }

    /** The mirror's copy of the branch head, if it has fetched one. */
    public Optional<String> localHead() {
        try {
            Ref ref = repo.exactRef(branchRef);
            return ref == null ? Optional.empty() : Optional.of(ref.getObjectId().name());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** What a fetch did: the head it left and how many pack bytes it added to the mirror. */
    public record Fetched(String head, long packBytes) {
    }

    /** Fetches the branch (shallow the first time, incremental after). */
    public Fetched fetchHead() throws SourceException {
        reopenIfRemoved();
        long before = packBytes();
        boolean first = localHead().isEmpty();
        FetchCommand fetch = fetchCommand().setRefSpecs(new RefSpec("+" + branchRef + ":" + branchRef));
        if (first) {
            fetch.setDepth(1);
        }
        call(fetch, "fetch " + spec.branch());
        restrictModes();
        String head = localHead().orElseThrow(() -> new SourceException(Reason.BRANCH_NOT_FOUND,
                "branch '" + spec.branch() + "' not found in " + spec.displayUrl()));
        return new Fetched(head, packBytes() - before);
    }

    /** Fetches one commit by id and keeps it; REVISION_NOT_FOUND when the server has none. */
    public void fetchCommit(String sha) throws SourceException {
        if (!has(sha)) {
            try {
                call(fetchCommand().setRefSpecs(new RefSpec(sha)).setDepth(1), "fetch " + sha);
            } catch (SourceException e) {
                if (e.reason() != Reason.GIT_UNREACHABLE) {
                    throw e;
                }
                // Servers fail a want for a missing commit in transport-specific ways ("not valid",
                // "short read", a protocol error). If the branch still answers, the server is up
                // and the commit is what is missing.
                remoteHead();
                throw new SourceException(Reason.REVISION_NOT_FOUND, "commit " + sha + " is not on "
                        + spec.displayUrl() + " (" + e.getMessage() + ")", e);
            }
        }
        if (!has(sha)) {
            throw new SourceException(Reason.REVISION_NOT_FOUND, "commit " + sha + " is not on " + spec.displayUrl());
        }
        keep(sha);
        restrictModes();
    }

    /** Whether the mirror holds commit {@code sha} (full SHA). */
    public boolean has(String sha) {
        if (!ObjectId.isId(sha)) {
            return false;
        }
        if (!Files.exists(repo.getDirectory().toPath().resolve("HEAD"))) {
            return false; // a removed mirror holds nothing, whatever JGit still caches of it
        }
        try (RevWalk walk = new RevWalk(repo)) {
            walk.parseCommit(ObjectId.fromString(sha));
            return true;
        } catch (MissingObjectException e) {
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    /** Commits in the mirror whose SHA starts with {@code prefix} (4 to 40 hex digits). */
    public List<String> commitsByPrefix(String prefix) {
        List<String> out = new ArrayList<>();
        if (!prefix.matches("[0-9a-fA-F]{4,40}")) {
            return out;
        }
        try (var reader = repo.newObjectReader(); RevWalk walk = new RevWalk(reader)) {
            Collection<ObjectId> ids = reader.resolve(AbbreviatedObjectId.fromString(prefix.toLowerCase()));
            for (ObjectId id : ids) {
                try {
                    walk.parseCommit(id);
                    out.add(id.name());
                } catch (IOException notACommit) {
                    // a tree or blob with the same prefix: not a revision
                }
            }
        } catch (IOException e) {
            return out;
        }
        return out;
    }

    public CommitInfo commitInfo(String sha) throws SourceException {
        try (RevWalk walk = new RevWalk(repo)) {
            RevCommit c = walk.parseCommit(ObjectId.fromString(sha));
            var who = c.getAuthorIdent();
            return new CommitInfo(sha, who.getName() + " <" + who.getEmailAddress() + ">",
                    Instant.ofEpochSecond(c.getCommitTime()), c.getShortMessage());
        } catch (IOException e) {
            throw new SourceException(Reason.LOCAL_ERROR, "cannot read commit " + sha + ": " + e.getMessage(), e);
        }
    }

    /** The tree of commit {@code sha}, under the source's sub-path. Close it after use. */
    public CommitTree tree(String sha) throws SourceException {
        try (RevWalk walk = new RevWalk(repo)) {
            RevCommit c = walk.parseCommit(ObjectId.fromString(sha));
            return new CommitTree(repo.newObjectReader(), c.getTree(), sha);
        } catch (IOException e) {
            throw new SourceException(Reason.LOCAL_ERROR, "cannot read commit " + sha + ": " + e.getMessage(), e);
        }
    }

    /**
     * Whether the mirror's history is cut (the first fetch is shallow): a commit may then have
     * ancestors the mirror does not hold.
     */
    public boolean shallow() {
        try {
            return !repo.getObjectDatabase().getShallowCommits().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Fetches the branch's whole history when the mirror's is cut, so ancestry between two
     * commits can be told (signed-commit verification after the mirror was rebuilt); a no-op when
     * it is whole.
     */
    public void fetchHistory() throws SourceException {
        reopenIfRemoved();
        if (!shallow()) {
            return;
        }
        call(fetchCommand().setRefSpecs(new RefSpec("+" + branchRef + ":" + branchRef)).setUnshallow(true),
                "fetch the history of " + spec.branch());
        restrictModes();
    }

    /**
     * The mirror's repository, for reading commits (signature verification); the mirror owns it:
     * never close it, and ask again after a fetch (a removed mirror is opened anew).
     */
    public Repository repository() {
        return repo;
    }

    /** The first parent of commit {@code sha}, if it has one and the mirror holds it (a shallow mirror may not). */
    public Optional<String> firstParent(String sha) {
        try (RevWalk walk = new RevWalk(repo)) {
            RevCommit c = walk.parseCommit(ObjectId.fromString(sha));
            if (c.getParentCount() == 0) {
                return Optional.empty();
            }
            String parent = c.getParent(0).name();
            return has(parent) ? Optional.of(parent) : Optional.empty();
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Whether {@code ancestor} is {@code sha} or reachable from it in the mirror. */
    public boolean isAncestor(String ancestor, String sha) {
        try (RevWalk walk = new RevWalk(repo)) {
            return walk.isMergedInto(walk.parseCommit(ObjectId.fromString(ancestor)), walk.parseCommit(ObjectId.fromString(sha)));
        } catch (IOException e) {
            return false;
        }
    }

    private void keep(String sha) throws SourceException {
        try {
            RefUpdate update = repo.updateRef(KEEP + sha);
            update.setNewObjectId(ObjectId.fromString(sha));
            update.setForceUpdate(true);
            update.update();
        } catch (IOException e) {
            throw new SourceException(Reason.LOCAL_ERROR, "cannot keep commit " + sha + ": " + e.getMessage(), e);
        }
    }

    private FetchCommand fetchCommand() {
        return Git.wrap(repo).fetch()
                .setRemote(spec.url())
                .setTagOpt(TagOpt.NO_TAGS)
                .setCredentialsProvider(remote.credentials)
                .setTransportConfigCallback(remote.configure());
    }

    private void call(FetchCommand fetch, String what) throws SourceException {
        try {
            fetch.call();
        } catch (GitAPIException | RuntimeException e) {
            throw Failures.translate(e, what + " from " + spec.displayUrl());
        }
    }

    /**
     * The remote's ref, over a connection opened for this check and closed after it: nothing is
     * held between polls (decision 0037). A kept SSH session would never see the server's host key
     * again, and 10,000 devices each holding one is more than a Git host bears.
     */
    private Ref remoteRef(String name) throws SourceException {
        try (Transport t = Transport.open(repo, remote.uri)) {
            t.setCredentialsProvider(remote.credentials);
            remote.configure().configure(t);
            try (FetchConnection connection = t.openFetch(List.of(new RefSpec(name)), name)) {
                return connection.getRef(name);
            }
        } catch (Exception e) {
            throw Failures.translate(e, "ls-remote " + spec.displayUrl());
        }
    }

    private Ref localRemoteRef(String name) throws SourceException {
        try {
            if (localRemote != null && !localRemote.getDirectory().isDirectory()) {
                closeLocalRemote();
            }
            if (localRemote == null) {
                File dir = RepositoryCache.FileKey.resolve(remote.localPath().toFile(), FS.DETECTED);
                if (dir == null) {
                    throw new SourceException(Reason.GIT_UNREACHABLE, "no Git repository at " + remote.localPath());
                }
                localRemote = new FileRepositoryBuilder().setGitDir(dir).setMustExist(true).build();
            }
            Ref ref = localRemote.exactRef(name);
            return ref == null || ref.isPeeled() ? ref : localRemote.getRefDatabase().peel(ref);
        } catch (IOException e) {
            closeLocalRemote();
            throw new SourceException(Reason.GIT_UNREACHABLE, "cannot read " + remote.localPath() + ": " + e.getMessage(), e);
        } catch (SourceException e) {
            closeLocalRemote();
            throw e;
        }
    }

    private long packBytes() {
        Path packs = repo.getDirectory().toPath().resolve("objects/pack");
        if (!Files.isDirectory(packs)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(packs)) {
            return files.filter(p -> p.toString().endsWith(".pack")).mapToLong(p -> p.toFile().length()).sum();
        } catch (IOException e) {
            return 0;
        }
    }

    private void closeLocalRemote() {
        if (localRemote != null) {
            localRemote.close();
            localRemote = null;
        }
    }

    @Override
    public void close() {
        closeLocalRemote();
        repo.close();
        remote.close();
    }
}
