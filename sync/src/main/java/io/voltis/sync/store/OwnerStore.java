package io.voltis.sync.store;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's store, kept usable through faults the device recovers from: when H2 closes the
 * file after a failed write (a full disk) or the file is removed, every call fails at once with
 * a {@link StoreUnavailableException} ({@code DiskFull} or {@code StoreUnavailable}) and a
 * later call, after a backoff of 1 s doubling to {@link #MAX_BACKOFF}, opens the file again.
 * Nothing committed before the failure is lost: H2 keeps its last complete chunk.
 *
 * <p>A store whose file went with its secret (the state directory removed) is created anew;
 * its first event is {@code StateLost} and {@link #stateLosses()} counts it
 * (docs/decisions/0023-state-directory-lost.md). Every event is also logged ({@link EventLog});
 * events recorded while the store is down are logged only. The store going down and coming back
 * is logged once each, not once per call.
 *
 * <p>The file never reuses space (StoreOpener: H2 lost commits after a kill -9 when it did), so it
 * grows with every commit. At most every {@link #COMPACT_CHECK}, a call finds whether the file
 * has grown by more than {@link #COMPACT_SLACK} (or half its compacted size, if more) since it
 * was last compacted or opened; if so, it closes the store with {@code SHUTDOWN COMPACT} and
 * opens it again, while no other call uses it.
 */
final class OwnerStore implements RevisionStore {

    private static final Logger LOG = LoggerFactory.getLogger(OwnerStore.class);
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    /** NOTE: H2's SQL error codes for a database it has closed or cannot write (ErrorCode). */
    private static final int DATABASE_IS_CLOSED = 90098;
    private static final int IO_EXCEPTION_2 = 90028;
    private static final int IO_EXCEPTION_1 = 90031;
    private static final int GENERAL_ERROR = 50000;
    static final Duration COMPACT_CHECK = Duration.ofMinutes(10);
    static final long COMPACT_SLACK = 64L << 20;

    private final StoreFiles files;
    private final Clock clock;
    private final Supplier<H2RevisionStore> opener;
    private final Object lock = new Object();
    private H2RevisionStore open;
    private StoreUnavailableException down;
    private Instant downSince;
    private Instant retryAt;
    private Duration backoff = FIRST_BACKOFF;
    private volatile int stateLosses;
    private boolean closed;
    private Notices notices = Notices.NONE;
    /** Calls hold it shared while they use the store; compaction holds it alone. */
    private final java.util.concurrent.locks.ReentrantReadWriteLock inUse = new java.util.concurrent.locks.ReentrantReadWriteLock();
    private final long compactSlack;
    private volatile Instant compactCheckAt;
    private long compactedSize;

    OwnerStore(StoreFiles files, Clock clock, Supplier<H2RevisionStore> opener) {
        this(files, clock, opener, COMPACT_SLACK);
    }

    OwnerStore(StoreFiles files, Clock clock, Supplier<H2RevisionStore> opener, long compactSlack) {
        this.files = files;
        this.clock = clock;
        this.opener = opener;
        this.compactSlack = compactSlack;
        this.open = opener.get();
        this.compactedSize = fileSize();
        this.compactCheckAt = clock.instant().plus(COMPACT_CHECK);
    }

    private long fileSize() {
        try {
            return Files.size(files.databaseFile());
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * Compacts the file if it is due and has grown past its slack; returns whether it did. Called
     * on the way into a call, and by tests; skipped while another call uses the store.
     */
    boolean compactIfDue(boolean force) {
        if (!force && clock.instant().isBefore(compactCheckAt)) {
            return false;
        }
        if (!inUse.writeLock().tryLock()) {
            return false;
        }
        try {
            synchronized (lock) {
                compactCheckAt = clock.instant().plus(COMPACT_CHECK);
                long size = fileSize();
                if (closed || open == null || size <= compactedSize + Math.max(compactSlack, compactedSize / 2)) {
                    return false;
                }
                H2RevisionStore was = open;
                open = null;
                was.compactAndClose();
                try {
                    open = opener.get();
                    open.notifyWith(notices);
                } catch (StoreException e) {
                    goDown(was, classify(e));
                    return false;
                }
                compactedSize = fileSize();
                LOG.info("revision store {} compacted from {} to {} KiB", files.databaseFile(), size / 1024,
                        compactedSize / 1024);
                return true;
            }
        } finally {
            inUse.writeLock().unlock();
        }
    }

    /** How many times the store was found removed and created anew while the agent ran. */
    @Override
    public int stateLosses() {
        return stateLosses;
    }

    /** The store to use now, reopened if it is due; else the failure that keeps it down. */
    private H2RevisionStore current() {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("the revision store " + files.databaseFile() + " is closed");
            }
            if (open != null && !files.databaseExists()) {
                goDown(open, unavailable(files.databaseFile() + " was removed while the agent ran", null));
            }
            if (open == null) {
                reopenIfDue();
            }
            return open;
        }
    }

    private void reopenIfDue() {
        Instant now = clock.instant();
        if (now.isBefore(retryAt)) {
            throw down;
        }
        boolean lost = !files.secretExists() && !files.databaseExists() && !files.pendingSecretExists();
        try {
            open = opener.get();
            open.notifyWith(notices);
        } catch (StoreException e) {
            StoreUnavailableException again = classify(e);
            if (!again.getMessage().equals(down.getMessage())) {
                LOG.warn("revision store still unavailable: {}", again.line());
            }
            down = again;
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            retryAt = now.plus(backoff);
            throw down;
        }
        String was = down.line();
        Instant since = downSince;
        down = null;
        backoff = FIRST_BACKOFF;
        LOG.info("revision store {} reopened (unavailable since {}: {})", files.databaseFile(), since, was);
        if (lost) {
            stateLosses++;
            addEvent(EventType.STATE_LOST, null, "the revision store was removed while the agent ran and was created anew"
                    + " at " + files.databaseFile() + ": the history before " + now + " is gone (" + was + ")");
        } else {
            addEvent(EventType.STORE_RECOVERED, null, "the revision store was unavailable from " + since + ": " + was);
        }
    }

    private <T> T use(Function<H2RevisionStore, T> work) {
        compactIfDue(false);
        inUse.readLock().lock();
        try {
            H2RevisionStore store = current();
            try {
                return work.apply(store);
            } catch (StoreException | IllegalStateException e) {
                if (!broken(store, e)) {
                    throw e;
                }
                synchronized (lock) {
                    if (open == store) {
                        goDown(store, classify(e));
                    }
                    throw down != null ? down : classify(e);
                }
            }
        } finally {
            inUse.readLock().unlock();
        }
    }

    private void run(java.util.function.Consumer<H2RevisionStore> work) {
        use(s -> {
            work.accept(s);
            return null;
        });
    }

    /** Whether the failure means the file is unusable (H2 closed it, cannot write it, or it is gone). */
    private boolean broken(H2RevisionStore store, RuntimeException e) {
        if (noSpace(e) || !files.databaseExists()) {
            return true;
        }
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof java.sql.SQLException sql) {
                int code = sql.getErrorCode();
                if (code == DATABASE_IS_CLOSED || code == IO_EXCEPTION_1 || code == IO_EXCEPTION_2 || code == GENERAL_ERROR) {
                    return true;
                }
            }
            if (t instanceof org.h2.mvstore.MVStoreException) {
                return true;
            }
        }
        return !store.usable();
    }

    private void goDown(H2RevisionStore store, StoreUnavailableException why) {
        open = null;
        down = why;
        downSince = clock.instant();
        backoff = FIRST_BACKOFF;
        retryAt = downSince.plus(backoff);
        LOG.warn("revision store unavailable: {}; the agent keeps running and retries", why.line());
        try {
            store.close();
        } catch (RuntimeException e) {
            LOG.debug("closing the failed revision store: {}", e.getMessage());
        }
    }

    private StoreUnavailableException classify(RuntimeException e) {
        if (e instanceof StoreUnavailableException u) {
            return u;
        }
        String detail = StoreFailures.oneLine(e);
        if (noSpace(e) || lowOnSpace()) {
            return new StoreUnavailableException(StoreUnavailableException.DISK_FULL, "no space left on the file system of "
                    + files.dbDir() + free() + ": the revision store cannot write " + files.databaseFile(), e);
        }
        return unavailable(detail, e);
    }

    private StoreUnavailableException unavailable(String detail, Throwable cause) {
        return new StoreUnavailableException(StoreUnavailableException.UNAVAILABLE, detail, cause);
    }

    private static boolean noSpace(Throwable e) {
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().toLowerCase(Locale.ROOT).contains("no space left on device")) {
                return true;
            }
        }
        return false;
    }

    /** Under 64 KiB usable where the store lives: H2 writes whole chunks. */
    private boolean lowOnSpace() {
        return usable().map(bytes -> bytes < 64 * 1024).orElse(false);
    }

    private String free() {
        return usable().map(bytes -> " (" + bytes / 1024 + " KiB free)").orElse("");
    }

    private Optional<Long> usable() {
        Path dir = files.dbDir();
        while (dir != null && !Files.exists(dir)) {
            dir = dir.getParent();
        }
        try {
            FileStore store = dir == null ? null : Files.getFileStore(dir);
            return store == null ? Optional.empty() : Optional.of(store.getUsableSpace());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    @Override
    public void recordRevision(String sha, String author, Instant committedAt, String message) {
        run(s -> s.recordRevision(sha, author, committedAt, message));
    }

    @Override
    public void markValidated(String sha, RevisionRecord.Validation validation, String problems) {
        run(s -> s.markValidated(sha, validation, problems));
    }

    @Override
    public void markVerified(String sha, String trust, String signer, String message) {
        run(s -> s.markVerified(sha, trust, signer, message));
    }

    @Override
    public void markGate(String sha, RevisionRecord.Gate gate, String reason) {
        run(s -> s.markGate(sha, gate, reason));
    }

    @Override
    public Optional<String> lastVerified() {
        return use(H2RevisionStore::lastVerified);
    }

    @Override
    public Optional<Probation> probation() {
        return use(H2RevisionStore::probation);
    }

    @Override
    public void startProbation(String sha, boolean rollback) {
        run(s -> s.startProbation(sha, rollback));
    }

    @Override
    public void countProbationAttempt() {
        run(H2RevisionStore::countProbationAttempt);
    }

    @Override
    public void endProbation() {
        run(H2RevisionStore::endProbation);
    }

    @Override
    public Optional<RevisionRecord> revision(String sha) {
        return use(s -> s.revision(sha));
    }

    @Override
    public List<RevisionRecord> revisions(int limit) {
        return use(s -> s.revisions(limit));
    }

    @Override
    public List<RevisionRecord> revisionsByPrefix(String prefix) {
        return use(s -> s.revisionsByPrefix(prefix));
    }

    @Override
    public long applyStarted(String sha) {
        return use(s -> s.applyStarted(sha));
    }

    @Override
    public void applyFinished(long id, ApplyRecord.Result result, String error) {
        run(s -> s.applyFinished(id, result, error));
    }

    @Override
    public List<ApplyRecord> applies(int limit) {
        return use(s -> s.applies(limit));
    }

    @Override
    public Optional<ApplyRecord> lastApply() {
        return use(H2RevisionStore::lastApply);
    }

    @Override
    public Optional<ApplyRecord> lastSuccessfulApply() {
        return use(H2RevisionStore::lastSuccessfulApply);
    }

    @Override
    public Optional<Pin> pin() {
        return use(H2RevisionStore::pin);
    }

    @Override
    public void setPin(String revision, boolean allowUnverified) {
        run(s -> s.setPin(revision, allowUnverified));
    }

    @Override
    public void clearPin() {
        run(H2RevisionStore::clearPin);
    }

    @Override
    public SourceState sourceState() {
        return use(H2RevisionStore::sourceState);
    }

    @Override
    public void saveSourceState(SourceState state) {
        run(s -> s.saveSourceState(state));
    }

    /** Logs the event, then records it; while the store is down the event is logged only. */
    @Override
    public void addEvent(EventType type, String revision, String message) {
        EventLog.log(type, revision, message);
        try {
            run(s -> s.addEvent(type, revision, message));
        } catch (StoreUnavailableException e) {
            LOG.debug("event {} not recorded: {}", type, e.line());
        }
    }

    @Override
    public List<Event> events(int limit) {
        return use(s -> s.events(limit));
    }

    /** Kept here and handed to every store this one opens (after a fault, a compaction, a lost state directory). */
    @Override
    public void notifyWith(Notices notices) {
        synchronized (lock) {
            this.notices = java.util.Objects.requireNonNull(notices, "notices");
            if (open != null) {
                open.notifyWith(notices);
            }
        }
    }

    @Override
    public List<OutboxEntry> outbox(String target, int limit) {
        return use(s -> s.outbox(target, limit));
    }

    @Override
    public void outboxDelivered(long id) {
        run(s -> s.outboxDelivered(id));
    }

    @Override
    public void outboxFailed(long id, String error, Instant nextAt) {
        run(s -> s.outboxFailed(id, error, nextAt));
    }

    @Override
    public int outboxExpire(String target, Instant before, int keep) {
        return use(s -> s.outboxExpire(target, before, keep));
    }

    @Override
    public java.util.Map<String, Integer> outboxDepth() {
        return use(RevisionStore::outboxDepth);
    }

    @Override
    public int outboxRemind(String target, Duration every, java.util.function.BiFunction<String, String, String> rewrite) {
        return use(s -> s.outboxRemind(target, every, rewrite));
    }

    @Override
    public int outboxRetain(java.util.Set<String> targets) {
        return use(s -> s.outboxRetain(targets));
    }

    @Override
    public List<Event> eventsAfter(long id, int limit) {
        return use(s -> s.eventsAfter(id, limit));
    }

    @Override
    public long jobStarted(String job, String revision, String trigger) {
        return use(s -> s.jobStarted(job, revision, trigger));
    }

    @Override
    public void jobFinished(long id, JobRun.Result result, Integer exitCode, String output) {
        run(s -> s.jobFinished(id, result, exitCode, output));
    }

    @Override
    public List<JobRun> jobRuns(String job, int limit) {
        return use(s -> s.jobRuns(job, limit));
    }

    @Override
    public void saveArchive(String sha, java.io.InputStream archive) {
        run(s -> s.saveArchive(sha, archive));
    }

    @Override
    public boolean archive(String sha, java.io.OutputStream out) {
        return use(s -> s.archive(sha, out));
    }

    @Override
    public int pruneArchives(int keep) {
        return use(s -> s.pruneArchives(keep));
    }

    /** The owner's loopback port while the store is open, else -1. */
    int serverPort() {
        synchronized (lock) {
            return open == null ? -1 : open.serverPort();
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            if (open != null) {
                open.close();
                open = null;
            }
        }
    }
}
