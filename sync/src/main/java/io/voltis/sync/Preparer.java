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
import io.voltis.sync.store.EventType;
import io.voltis.sync.store.RevisionRecord;
import io.voltis.sync.store.RevisionStore;

/**
 * Prepares a revision for this device without touching the device: resolves its device file
 * and workload in the commit (no work tree), validates them with the model, and unpacks the
 * workload folder. An invalid commit is recorded as known bad with its problems, so the next
 * tick does not read it again.
 */
public final class Preparer {

    /** NOTE: device files are a few lines; this only bounds what a hostile one can make us hold. */
    private static final int DEVICE_FILE_LIMIT = 1 << 20;

    private final GitMirror mirror;
    private final RevisionStore store;
    private final HostResolver resolver;
    private final Unpacker unpacker;
    private final String hostname;
    private final InFlight inFlight;

    /** A preparer that counts no crashes (a plan). */
    public Preparer(GitMirror mirror, RevisionStore store, HostResolver resolver, Unpacker unpacker, String hostname) {
        this(mirror, store, resolver, unpacker, hostname, InFlight.none());
    }

    public Preparer(GitMirror mirror, RevisionStore store, HostResolver resolver, Unpacker unpacker, String hostname,
                    InFlight inFlight) {
        this.mirror = mirror;
        this.store = store;
        this.resolver = resolver;
        this.unpacker = unpacker;
        this.hostname = hostname;
        this.inFlight = inFlight;
    }

    /**
     * Validates and unpacks {@code sha}. When that is work still to do (not yet validated, or not
     * unpacked), the step is recorded in flight first, so a revision that kills the agent here is
     * counted (see {@link #quarantineIfDue}).
     */
    public Preparation prepare(String sha) throws SourceException {
        Optional<RevisionRecord> known = store.revision(sha);
        boolean guarded = known.isEmpty() || known.get().validation() == RevisionRecord.Validation.PENDING
                || (known.get().validation() == RevisionRecord.Validation.VALID
                    && !java.nio.file.Files.isDirectory(unpacker.dir(sha)));
        if (guarded) {
            begin(InFlight.Step.PREPARE, sha);
        }
        Preparation result;
        try {
            result = prepareNow(sha);
        } catch (SourceException | RuntimeException e) {
            if (guarded) {
                end();
            }
            throw e;
        }
        if (guarded) {
            end();
        }
        return result;
    }

    /**
     * At start: when the previous processes died {@link InFlight#QUARANTINE_AFTER} times in a row
     * while preparing or applying the same revision, marks it invalid with the reason (it is then
     * held off as any invalid revision: until a newer commit, or a pin of another revision) and
     * records a {@code RevisionQuarantined} event; a death short of that is recorded as a
     * {@code StepInterrupted} event. Returns the quarantined sha.
     */
    /** The step the previous process died in, if it died in one (read before {@link #quarantineIfDue}). */
    public Optional<InFlight.Record> leftover() {
        return inFlight.leftover();
    }

    public Optional<String> quarantineIfDue() {
        Optional<InFlight.Record> left = inFlight.leftover();
        if (left.isEmpty()) {
            return Optional.empty();
        }
        InFlight.Record r = left.get();
        String doing = (r.step() == InFlight.Step.PREPARE ? "preparing" : "applying") + " " + r.sha().substring(0, 12);
        if (r.attempt() < InFlight.QUARANTINE_AFTER) {
            store.addEvent(EventType.STEP_INTERRUPTED, r.sha(), "the agent stopped while " + doing + " (attempt " + r.attempt()
                    + " of " + InFlight.QUARANTINE_AFTER + " before it is quarantined)");
            return Optional.empty();
        }
        String problem = RevisionRecord.QUARANTINED + " the agent stopped " + r.attempt() + " times in a row while " + doing
                + " (out of memory, or killed); it is not tried again: push a newer commit or pin another revision";
        if (store.revision(r.sha()).isEmpty()) {
            try {
                CommitInfo info = mirror.commitInfo(r.sha());
                store.recordRevision(r.sha(), info.author(), info.committedAt(), info.message());
            } catch (SourceException e) {
                store.recordRevision(r.sha(), null, null, null);
            }
        }
        store.markValidated(r.sha(), RevisionRecord.Validation.INVALID, problem);
        store.addEvent(EventType.REVISION_QUARANTINED, r.sha(), problem);
        end();
        return Optional.of(r.sha());
    }

    /** Records that {@code step} starts on {@code sha}; a record that cannot be written stops the step. */
    public void begin(InFlight.Step step, String sha) throws SourceException {
        try {
            inFlight.begin(step, sha);
        } catch (IOException e) {
            throw new SourceException(Reason.LOCAL_ERROR, "cannot record the " + step.word() + " of " + sha + " in flight: "
                    + e.getMessage(), e);
        }
    }

    /** The step begun last has returned. */
    public void end() {
        try {
            inFlight.end();
        } catch (IOException e) {
            // the record stays: at worst one crash too many is counted against that sha
        }
    }

    private Preparation prepareNow(String sha) throws SourceException {
        Optional<RevisionRecord> known = store.revision(sha);
        if (known.isPresent() && known.get().validation() == RevisionRecord.Validation.INVALID) {
            return new Preparation.Invalid(sha, lines(known.get().problems()));
        }
        if (!mirror.has(sha)) {
            Optional<Preparation> kept = fromArchive(sha);
            if (kept.isPresent()) {
                return kept.get();
            }
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
                store.addEvent(EventType.REVISION_INVALID, sha, problems.size() + " problem(s), first: " + problems.get(0));
                return new Preparation.Invalid(sha, problems);
            }
            store.markValidated(sha, RevisionRecord.Validation.VALID, null);
            String folder = (path.isEmpty() ? "" : path + "/") + WorkloadLoader.FOLDER + "/" + resolution.workload().name();
            if (!java.nio.file.Files.isDirectory(unpacker.dir(sha))) {
                requireSpace(commit, folder, sha);
            }
            Path dir = unpacker.unpack(commit, folder, sha);
            byte[] deviceFile = PrefixedTree.of(commit, path).read(resolution.match().file(), DEVICE_FILE_LIMIT);
            return new Preparation.Ready(sha, resolution, dir, commit.walk(folder), deviceFile);
        } catch (IOException e) {
            throw new SourceException(Reason.LOCAL_ERROR, "cannot unpack " + sha + ": " + e.getMessage(), e);
        }
    }

    /**
     * What {@code sha} says about this host, validated as {@link #prepare} validates it, but
     * nothing unpacked and nothing recorded: empty when the store knows it as invalid
     * (quarantined included) or the commit is not in the mirror. For reading the device file's
     * {@code revision:} where nothing will be applied ({@code status}, {@code plan}).
     */
    public Optional<HostResolution> resolve(String sha) throws SourceException {
        Optional<RevisionRecord> known = store.revision(sha);
        if (known.isPresent() && known.get().validation() == RevisionRecord.Validation.INVALID) {
            return Optional.empty();
        }
        if (!mirror.has(sha)) {
            return Optional.empty();
        }
        try (CommitTree commit = mirror.tree(sha)) {
            return Optional.of(resolver.resolve(PrefixedTree.of(commit, mirror.spec().path()), hostname));
        } catch (java.io.UncheckedIOException e) {
            throw new SourceException(Reason.LOCAL_ERROR, "cannot read " + sha + ": " + e.getCause().getMessage(), e);
        }
    }

    /**
     * What this device would run at {@code sha}, as a digest: its device file, its workload's
     * name, file (without {@code rollout:}) and every other file of the workload folder by blob.
     * Two commits with the same digest are one release (docs/rollout.md): a commit that changes
     * only the rollout plan starts no new one. Empty when {@code sha} is not in the mirror, or
     * not a valid workload for this device. Nothing is unpacked or recorded.
     */
    public Optional<String> releaseDigest(String sha) throws SourceException {
        Optional<RevisionRecord> known = store.revision(sha);
        if (known.isPresent() && known.get().validation() == RevisionRecord.Validation.INVALID || !mirror.has(sha)) {
            return Optional.empty();
        }
        String path = mirror.spec().path();
        try (CommitTree commit = mirror.tree(sha)) {
            HostResolution resolution = resolver.resolve(PrefixedTree.of(commit, path), hostname);
            if (resolution.noWorkload() || !resolution.valid()) {
                return Optional.empty();
            }
            java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
            String name = resolution.workload().name();
            java.util.List<String> parts = new java.util.ArrayList<>(List.of(resolution.match().file(), name,
                    resolution.device().toString(), resolution.workload().spec().withoutRollout().toString()));
            String folder = (path.isEmpty() ? "" : path + "/") + WorkloadLoader.FOLDER + "/" + name;
            for (CommitTree.File f : commit.walk(folder)) {
                if (!f.path().equals(WorkloadLoader.FILE_NAME)) {
                    parts.add(f.path() + " " + f.kind() + " " + f.executable() + " " + f.blob());
                }
            }
            for (String part : parts) {
                byte[] bytes = part.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                digest.update(java.nio.ByteBuffer.allocate(4).putInt(bytes.length).array());
                digest.update(bytes);
            }
            return Optional.of(java.util.HexFormat.of().formatHex(digest.digest()));
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new SourceException(Reason.LOCAL_ERROR, "cannot read " + sha + ": " + e.getMessage(), e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    /**
     * A revision the mirror lacks, from the archive the store kept when it was applied
     * ({@link RevisionArchive}); empty when there is none. Validated again with today's rules,
     * but not recorded as known bad when it fails them: the commit itself may still be fine.
     */
    private Optional<Preparation> fromArchive(String sha) throws SourceException {
        Path target = unpacker.dir(sha);
        Path temp = null;
        try {
            io.voltis.sync.git.PrivateModes.createDirectories(target.getParent());
            temp = java.nio.file.Files.createTempDirectory(target.getParent(), ".tmp-restore-" + sha + "-",
                    java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                            java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
            Path tar = temp.resolve("archive.tar.gz");
            boolean kept;
            try (java.io.OutputStream out = java.nio.file.Files.newOutputStream(tar)) {
                kept = store.archive(sha, out);
            }
            if (!kept) {
                return Optional.empty();
            }
            Path tree = temp.resolve("tree");
            try (java.io.InputStream in = java.nio.file.Files.newInputStream(tar)) {
                RevisionArchive.unpack(in, tree);
            }
            HostResolution resolution = resolver.resolve(new io.voltis.model.DirectoryTree(tree), hostname);
            if (resolution.noWorkload()) {
                return Optional.of(new Preparation.NoWorkload(sha, DeviceResolver.candidates(hostname)));
            }
            if (!resolution.valid()) {
                return Optional.of(new Preparation.Invalid(sha, resolution.problems().stream().map(Problem::toString).toList()));
            }
            byte[] deviceFile = java.nio.file.Files.readAllBytes(tree.resolve(resolution.match().file()));
            Path dir = RevisionArchive.moveWorkload(tree, resolution.workload().name(), target);
            return Optional.of(new Preparation.Ready(sha, resolution, dir, RevisionArchive.walk(dir), deviceFile));
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new SourceException(Reason.REVISION_NOT_FOUND, sha.substring(0, 12) + " is not in the Git mirror and its"
                    + " archive in the store cannot be restored: " + e.getMessage(), e);
        } finally {
            if (temp != null) {
                Unpacker.deleteQuietly(temp);
            }
        }
    }

    /** Unpacking writes the workload once, and applying keeps it again as an archive in the store. */
    private void requireSpace(CommitTree commit, String folder, String sha) throws IOException, SourceException {
        long bytes = 0;
        for (CommitTree.File f : commit.walk(folder)) {
            if (f.kind() == io.voltis.model.SourceTree.Kind.FILE) {
                bytes += commit.size(f);
            }
        }
        DiskSpace.require(unpacker.dir(sha).getParent(), 2 * bytes, "unpack " + sha.substring(0, 12));
    }

    private static List<String> lines(String problems) {
        return problems == null || problems.isEmpty() ? List.of() : Arrays.asList(problems.split("\n"));
    }
}
