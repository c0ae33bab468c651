package io.voltis.sync;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import io.voltis.model.DeviceResolver;
import io.voltis.model.HostResolution;
import io.voltis.model.HostResolver;
import io.voltis.model.PrefixedTree;
import io.voltis.model.Problem;
import io.voltis.model.WorkloadLoader;
import io.voltis.sync.git.CommitInfo;
import io.voltis.sync.git.CommitTree;
import io.voltis.sync.git.GitMirror;
import io.voltis.sync.git.Reason;
import io.voltis.sync.git.SourceException;
import io.voltis.sync.store.RevisionRecord;
import io.voltis.sync.store.RevisionStore;

/**
 * Prepares a revision for this device without touching the device: resolves its device file
 * and workload in the commit (no work tree), validates them with the model, and unpacks the
 * workload folder. An invalid commit is recorded as known bad with its problems, so the next
 * tick does not read it again.
 */
public final class Preparer {

    private final GitMirror mirror;
    private final RevisionStore store;
    private final HostResolver resolver;
    private final Unpacker unpacker;
    private final String hostname;

    public Preparer(GitMirror mirror, RevisionStore store, HostResolver resolver, Unpacker unpacker, String hostname) {
        this.mirror = mirror;
        this.store = store;
        this.resolver = resolver;
        this.unpacker = unpacker;
        this.hostname = hostname;
    }

    public Preparation prepare(String sha) throws SourceException {
        Optional<RevisionRecord> known = store.revision(sha);
        if (known.isPresent() && known.get().validation() == RevisionRecord.Validation.INVALID) {
            return new Preparation.Invalid(sha, lines(known.get().problems()));
        }
        if (known.isEmpty()) {
            CommitInfo info = mirror.commitInfo(sha);
            store.recordRevision(sha, info.author(), info.committedAt(), info.message());
        }
        String path = mirror.spec().path();
        try (CommitTree commit = mirror.tree(sha)) {
            HostResolution resolution = resolver.resolve(PrefixedTree.of(commit, path), hostname);
            if (resolution.noWorkload()) {
                return new Preparation.NoWorkload(sha, DeviceResolver.candidates(hostname));
            }
            if (!resolution.valid()) {
                List<String> problems = resolution.problems().stream().map(Problem::toString).toList();
                store.markValidated(sha, RevisionRecord.Validation.INVALID, String.join("\n", problems));
                store.addEvent("RevisionInvalid", sha, problems.size() + " problem(s), first: " + problems.get(0));
                return new Preparation.Invalid(sha, problems);
            }
            store.markValidated(sha, RevisionRecord.Validation.VALID, null);
            String folder = (path.isEmpty() ? "" : path + "/") + WorkloadLoader.FOLDER + "/" + resolution.workload().name();
            if (!java.nio.file.Files.isDirectory(unpacker.dir(sha))) {
                requireSpace(commit, folder, sha);
            }
            Path dir = unpacker.unpack(commit, folder, sha);
            return new Preparation.Ready(sha, resolution, dir, commit.walk(folder));
        } catch (IOException e) {
            throw new SourceException(Reason.LOCAL_ERROR, "cannot unpack " + sha + ": " + e.getMessage(), e);
        }
    }

    /** Unpacking writes the workload once, and applying keeps it again as an archive in the store. */
    private void requireSpace(CommitTree commit, String folder, String sha) throws IOException, SourceException {
        long bytes = 0;
        for (CommitTree.File f : commit.walk(folder)) {
            if (f.kind() == io.voltis.model.SourceTree.Kind.FILE) {
                bytes += commit.size(f.blob());
            }
        }
        DiskSpace.require(unpacker.dir(sha).getParent(), 2 * bytes, "unpack " + sha.substring(0, 12));
    }

    private static List<String> lines(String problems) {
        return problems == null || problems.isEmpty() ? List.of() : Arrays.asList(problems.split("\n"));
    }
}
