package io.voltis.sync.store;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link RevisionStore} in an H2 file, {@code <state>/db/voltis.mv.db}; {@link StoreOpener}
 * opens and shares it, one class per group of tables holds the SQL. Each method is one
 * transaction on one connection, taken in turn by the calling threads. Every "now" comes from
 * the injected clock. Arguments are checked here: a blank sha or a negative limit is a
 * programming error ({@link IllegalArgumentException}), not a store failure.
 */
final class H2RevisionStore implements RevisionStore {

    static {
        StoreServer.bindToLoopback();
    }

    private static final Logger LOG = LoggerFactory.getLogger(H2RevisionStore.class);
    /** NOTE: the H2 user; the password is in {@code <state>/db/secret}. */
    static final String USER = "voltis";

    private final Jdbc db;
    private final Clock clock;
    private final StoreFiles files;
    private final StoreServer server;
    private final boolean remote;
    private final RevisionsTable revisions;
    private final AppliesTable applies;
    private final SingleRowTables singleRows;
    private final EventsTable events;
    private final ArchivesTable archives;
    private final JobRunsTable jobRuns;
    private final OutboxTable outbox;
    private volatile Notices notices = Notices.NONE;
    private final AtomicBoolean closed = new AtomicBoolean();

    H2RevisionStore(Jdbc db, Clock clock, StoreFiles files, StoreServer server, boolean remote) {
        this.db = db;
        this.clock = clock;
        this.files = files;
        this.server = server;
        this.remote = remote;
        this.revisions = new RevisionsTable(db);
        this.applies = new AppliesTable(db);
        this.singleRows = new SingleRowTables(db);
        this.events = new EventsTable(db);
        this.archives = new ArchivesTable(db, files);
        this.jobRuns = new JobRunsTable(db);
        this.outbox = new OutboxTable(db);
    }

    static RevisionStore open(Path stateDir, Clock clock, boolean owner) {
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(clock, "clock");
        StoreFiles files = new StoreFiles(stateDir);
        return owner ? new OwnerStore(files, clock, () -> StoreOpener.open(files, clock, true))
                : StoreOpener.open(files, clock, false);
    }

    /** Whether the connection still answers a trivial query (H2 closes the file after a failed write). */
    boolean usable() {
        try {
            return db.call(c -> {
                try (var statement = c.createStatement()) {
                    statement.execute("SELECT 1");
                }
                return true;
            });
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The owner's loopback port, or -1 for a client. */
    int serverPort() {
        return server == null ? -1 : server.port();
    }

    /** True when this client goes through a running owner rather than the file. */
    boolean remote() {
        return remote;
    }

    @Override
    public void recordRevision(String sha, String author, Instant committedAt, String message) {
        revisions.record(requireSha(sha), author, committedAt, message, clock.instant());
    }

    @Override
    public void markValidated(String sha, RevisionRecord.Validation validation, String problems) {
        Objects.requireNonNull(validation, "validation");
        if (revisions.markValidated(requireSha(sha), validation, problems) == 0) {
            throw new IllegalArgumentException("no revision " + sha + " is recorded");
        }
    }

    @Override
    public void markVerified(String sha, String trust, String signer, String message) {
        Objects.requireNonNull(trust, "trust");
        if (revisions.markVerified(requireSha(sha), trust, signer, message) == 0) {
            revisions.record(sha, null, null, null, clock.instant());
            revisions.markVerified(sha, trust, signer, message);
        }
    }

    @Override
    public void markGate(String sha, RevisionRecord.Gate gate, String reason) {
        if (revisions.markGate(requireSha(sha), gate, reason) == 0) {
            revisions.record(sha, null, null, null, clock.instant());
            revisions.markGate(sha, gate, reason);
        }
    }

    @Override
    public Optional<String> lastVerified() {
        List<String> applied = new java.util.ArrayList<>();
        for (ApplyRecord a : applies.newest(1000)) {
            if (a.result() == ApplyRecord.Result.SUCCEEDED && !applied.contains(a.sha())) {
                applied.add(a.sha());
            }
        }
        return Optional.ofNullable(revisions.firstPassed(applied));
    }

    @Override
    public Optional<Probation> probation() {
        return singleRows.probation();
    }

    @Override
    public void startProbation(String sha, boolean rollback) {
        singleRows.startProbation(requireSha(sha), rollback, clock.instant());
    }

    @Override
    public void countProbationAttempt() {
        singleRows.countProbationAttempt(clock.instant());
    }

    @Override
    public void endProbation() {
        singleRows.endProbation();
    }

    @Override
    public Optional<RevisionRecord> revision(String sha) {
        return first(revisions.bySha(requireSha(sha)));
    }

    @Override
    public List<RevisionRecord> revisions(int limit) {
        return revisions.newest(requireLimit(limit));
    }

    /** Matches case-insensitively (SHAs are lower-case hex); {@code _} and {@code %} are literal. */
    @Override
    public List<RevisionRecord> revisionsByPrefix(String prefix) {
        return revisions.byPrefix(Objects.requireNonNull(prefix, "prefix"));
    }

    @Override
    public long applyStarted(String sha) {
        return applies.started(requireSha(sha), clock.instant());
    }

    /** Finishes a RUNNING apply; finishing one twice, or one that does not exist, is an {@link IllegalStateException}. */
    @Override
    public void applyFinished(long id, ApplyRecord.Result result, String error) {
        Objects.requireNonNull(result, "result");
        if (result == ApplyRecord.Result.RUNNING) {
            throw new IllegalArgumentException("an apply cannot finish as RUNNING");
        }
        if (applies.finished(id, result, error, clock.instant()) == 0) {
            throw new IllegalStateException("apply " + id + " is not running: " + first(applies.byId(id))
                    .map(a -> "it finished as " + a.result()).orElse("there is no such apply"));
        }
    }

    @Override
    public List<ApplyRecord> applies(int limit) {
        return applies.newest(requireLimit(limit));
    }

    @Override
    public Optional<ApplyRecord> lastApply() {
        return first(applies.newest(1));
    }

    @Override
    public Optional<ApplyRecord> lastSuccessfulApply() {
        return first(applies.newestSucceeded(1));
    }

    @Override
    public Optional<Pin> pin() {
        return singleRows.pin();
    }

    @Override
    public void setPin(String revision, boolean allowUnverified) {
        if (revision == null || revision.isBlank()) {
            throw new IllegalArgumentException("a pin needs a revision");
        }
        singleRows.setPin(revision, allowUnverified, clock.instant());
    }

    @Override
    public void clearPin() {
        singleRows.clearPin();
    }

    @Override
    public SourceState sourceState() {
        return singleRows.sourceState();
    }

    @Override
    public void saveSourceState(SourceState state) {
        singleRows.saveSourceState(Objects.requireNonNull(state, "state"));
    }

    @Override
    public void addEvent(EventType type, String revision, String message) {
        if (type == null) {
            throw new IllegalArgumentException("an event needs a type");
        }
        Instant now = clock.instant();
        Notices told = notices;
        List<Notice> candidates = told.of(type, revision, message, now);
        if (candidates.isEmpty()) {
            events.add(type.word(), revision, message, now);
            return;
        }
        java.util.Set<String> queued = db.call(c -> {
            EventsTable.add(c, type.word(), revision, message, now);
            return OutboxTable.enqueue(c, candidates, type.word(), now);
        });
        if (!queued.isEmpty()) {
            told.queued(queued);
        }
    }

    @Override
    public void notifyWith(Notices notices) {
        this.notices = Objects.requireNonNull(notices, "notices");
    }

    @Override
    public List<OutboxEntry> outbox(String target, int limit) {
        return outbox.next(Objects.requireNonNull(target, "target"), requireLimit(limit));
    }

    @Override
    public void outboxDelivered(long id) {
        outbox.delivered(id);
    }

    @Override
    public void outboxFailed(long id, String error, Instant nextAt) {
        outbox.failed(id, error, Objects.requireNonNull(nextAt, "nextAt"));
    }

    @Override
    public int outboxExpire(String target, Instant before, int keep) {
        return outbox.expire(target, before, keep);
    }

    @Override
    public java.util.Map<String, Integer> outboxDepth() {
        return outbox.depth();
    }

    @Override
    public int outboxRemind(String target, java.time.Duration every, java.util.function.BiFunction<String, String, String> rewrite) {
        return outbox.remind(target, every, rewrite, clock.instant());
    }

    @Override
    public int outboxRetain(java.util.Set<String> targets) {
        return outbox.retain(targets);
    }

    /** Newest first; the store keeps the newest {@value EventsTable#KEPT}. */
    @Override
    public List<Event> events(int limit) {
        return events.newest(requireLimit(limit));
    }

    @Override
    public List<Event> eventsAfter(long id, int limit) {
        return events.after(id, requireLimit(limit));
    }

    /** Saves (or replaces) the archive of {@code sha}, with its SHA-256; it counts as applied now. */
    @Override
    public long jobStarted(String job, String revision, String trigger) {
        Objects.requireNonNull(job, "job");
        return jobRuns.started(job, revision, trigger, clock.instant());
    }

    @Override
    public void jobFinished(long id, JobRun.Result result, Integer exitCode, String output) {
        Objects.requireNonNull(result, "result");
        if (result == JobRun.Result.RUNNING || jobRuns.finished(id, result, exitCode, output, clock.instant()) == 0) {
            throw new IllegalArgumentException("no running job run " + id);
        }
    }

    @Override
    public List<JobRun> jobRuns(String job, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative: " + limit);
        }
        return jobRuns.select(job, limit);
    }

    @Override
    public void saveArchive(String sha, java.io.InputStream archive) {
        archives.save(requireSha(sha), Objects.requireNonNull(archive, "archive"), clock.instant());
    }

    /** Fails with a {@link StoreException} rather than pass an archive that no longer matches its SHA-256. */
    @Override
    public boolean archive(String sha, java.io.OutputStream out) {
        return archives.read(requireSha(sha), Objects.requireNonNull(out, "out"));
    }

    /** "Applied" is the latest {@link #saveArchive} or {@link #applyStarted} of that sha, so a rollback target is recent. */
    @Override
    public int pruneArchives(int keep) {
        if (keep < 0) {
            throw new IllegalArgumentException("keep must be 0 or more, not " + keep);
        }
        return archives.prune(keep);
    }

    /**
     * Owner only: stops serving, then closes the file with {@code SHUTDOWN COMPACT}, which
     * rewrites it to hold only live data (the store never reuses space: see StoreOpener). The
     * store is closed afterwards, whatever happened; open it again to go on.
     */
    void compactAndClose() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            stopServing();
            db.call(c -> {
                try (var shutdown = c.createStatement()) {
                    shutdown.execute("SHUTDOWN COMPACT");
                }
                return null;
            });
        } catch (StoreException e) {
            LOG.debug("compacting the revision store: {}", e.getMessage());
        } finally {
            try {
                db.close();
            } catch (StoreException e) {
                LOG.debug("closing the compacted revision store: {}", e.getMessage());
            }
        }
    }

    /** Owner: stops serving, deletes {@code <state>/db/server}, closes the file. Client: disconnects. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            stopServing();
        } finally {
            db.close();
        }
        LOG.debug("revision store {} closed", files.databaseFile());
    }

    /** Owner: the CLI's port closes and {@code <state>/db/server} goes. */
    private void stopServing() {
        if (server != null) {
            server.close();
            files.deleteServerFile().ifPresent(LOG::warn);
        }
    }

    private static <T> Optional<T> first(List<T> rows) {
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    private static String requireSha(String sha) {
        if (sha == null || sha.isBlank()) {
            throw new IllegalArgumentException("a revision needs a sha");
        }
        return sha;
    }

    private static int requireLimit(int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be 0 or more, not " + limit);
        }
        return limit;
    }
}
