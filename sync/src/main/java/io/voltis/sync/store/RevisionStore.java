package io.voltis.sync.store;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The agent's memory, in {@code <state>/db/}. Opened by the daemon as {@linkplain #openOwner
 * owner}, which also serves the file to CLI processes on a loopback-only, password-protected
 * port; opened by the CLI with {@link #openClient}, which uses that port while the daemon runs
 * and the file directly when it does not. See docs/decisions/0007-store-shared-with-the-cli.md.
 *
 * <p>Every method is one short transaction; the store is safe to use from several threads.
 */
public interface RevisionStore extends AutoCloseable {

    /**
     * The daemon's store. Creates it on first start; fails with a clear {@link StoreException}
     * if it is missing (its secret says it existed), damaged, or held by another agent. Marks
     * applies a stopped agent left RUNNING as INTERRUPTED; leaves its job runs RUNNING, for the
     * job runner to find out how they ended (a job may outlive the agent).
     */
    static RevisionStore openOwner(Path stateDir, java.time.Clock clock) {
        return H2RevisionStore.open(stateDir, clock, true);
    }

    /**
     * The CLI's store: through the running daemon, else the file itself. Never creates a store
     * ("no agent state in DIR") and never judges applies.
     */
    static RevisionStore openClient(Path stateDir, java.time.Clock clock) {
        return H2RevisionStore.open(stateDir, clock, false);
    }

    /**
     * The daemon's answer to a {@linkplain StoreException#damaged() damaged} store (decision
     * 0026): renames the database file and its secret to {@code <name>.corrupt-<UTC time>} under
     * {@code <state>/db/}, so the next {@link #openOwner} starts a new, empty store. Returns the
     * damaged file's new path. Never called by the CLI.
     */
    static Path setAsideDamaged(Path stateDir, java.time.Clock clock) {
        return new StoreFiles(stateDir).setAsideDamaged(clock.instant());
    }

    // revisions
    /** Records a fetched commit; a second call for the same sha keeps the first {@code firstSeen}. */
    void recordRevision(String sha, String author, Instant committedAt, String message);

    /** @throws IllegalArgumentException if {@code sha} was never recorded */
    void markValidated(String sha, RevisionRecord.Validation validation, String problems);

    /**
     * Records what verifying the signature of {@code sha} found: {@code trust} is
     * {@link RevisionRecord#VERIFIED}, a trust reason word or {@link RevisionRecord#ACCEPTED};
     * {@code signer} and {@code message} may be null. A sha never recorded is recorded first.
     */
    void markVerified(String sha, String trust, String signer, String message);

    /**
     * Records what the health gate found of {@code sha} (on disk when it returns); null clears it
     * ({@code voltis-agent retry}). A sha never recorded is recorded first.
     */
    void markGate(String sha, RevisionRecord.Gate gate, String reason);

    /**
     * Releases a quarantined revision ({@code retry}, or a pin that names it): pending again and
     * its gate result cleared, on disk when it returns. Returns the quarantine's first line, or
     * empty when {@code sha} is not quarantined (an invalid revision is not: its repo must change).
     */
    default Optional<String> releaseQuarantine(String sha) {
        Optional<String> problem = revision(sha).filter(r -> r.validation() == RevisionRecord.Validation.INVALID
                        && r.problems() != null && r.problems().startsWith(RevisionRecord.QUARANTINED))
                .map(r -> r.problems().lines().findFirst().orElse(""));
        problem.ifPresent(p -> {
            markValidated(sha, RevisionRecord.Validation.PENDING, null);
            markGate(sha, null, null);
        });
        return problem;
    }

    /** The newest revision applied successfully whose health gate passed, or empty: the rollback target. */
    Optional<String> lastVerified();

    Optional<RevisionRecord> revision(String sha);

    /** Newest first (by first seen). */
    List<RevisionRecord> revisions(int limit);

    /** Revisions whose sha starts with {@code prefix} (for short SHAs), case-insensitively; newest first. */
    List<RevisionRecord> revisionsByPrefix(String prefix);

    // applies
    /**
     * Records that an apply of {@code sha} starts. On disk when it returns, before the first file
     * is written: a kill -9 right after it leaves a RUNNING apply, which the next owner marks
     * INTERRUPTED and the agent rolls forward (applies {@code sha} again), never back.
     */
    long applyStarted(String sha);

    /** @throws IllegalStateException if apply {@code id} does not exist or is no longer RUNNING */
    void applyFinished(long id, ApplyRecord.Result result, String error);

    /** Newest first. */
    List<ApplyRecord> applies(int limit);

    Optional<ApplyRecord> lastApply();

    Optional<ApplyRecord> lastSuccessfulApply();

    // pin
    Optional<Pin> pin();

    /** On disk when it returns: a kill -9 right after it leaves the pin in force at the next start. */
    default void setPin(String revision) {
        setPin(revision, false);
    }

    /**
     * {@code allowUnverified}: the operator accepts {@code revision} without a verified signature
     * ({@code --allow-unverified}); on disk when it returns, like {@link #setPin(String)}.
     */
    void setPin(String revision, boolean allowUnverified);

    void clearPin();

    // probation (the health gate's window, across restarts)
    Optional<Probation> probation();

    /** On disk when it returns: a kill -9 during the window is counted at the next start. */
    void startProbation(String sha, boolean rollback);

    /** One more start of the agent during the window; the window starts again now. */
    void countProbationAttempt();

    void endProbation();

    // source
    SourceState sourceState();

    void saveSourceState(SourceState state);

    // events
    void addEvent(EventType type, String revision, String message);

    /** Newest first; the store keeps the newest 1,000. */
    List<Event> events(int limit);

    /** Events recorded after event {@code id}, oldest first, at most {@code limit}. */
    List<Event> eventsAfter(long id, int limit);

    // notifications (docs/notifications.md)
    /**
     * Who hears of the events recorded from now on: their notices are queued in the outbox in the
     * transaction that records the event. The daemon's store only; set once, before the first event.
     */
    default void notifyWith(Notices notices) {
        throw daemonOnly();
    }

    /** The oldest {@code limit} notices waiting for {@code target}, in order. */
    default List<OutboxEntry> outbox(String target, int limit) {
        throw daemonOnly();
    }

    /** Notice {@code id} was delivered: it leaves the outbox. */
    default void outboxDelivered(long id) {
        throw daemonOnly();
    }

    /** A delivery of notice {@code id} failed with {@code error}: tried again at {@code nextAt}. */
    default void outboxFailed(long id, String error, Instant nextAt) {
        throw daemonOnly();
    }

    /** Drops {@code target}'s notices queued before {@code before} and all but its newest {@code keep}; how many. */
    default int outboxExpire(String target, Instant before, int keep) {
        throw daemonOnly();
    }

    /** How many notices wait, by target (targets with none are absent). */
    default java.util.Map<String, Integer> outboxDepth() {
        throw daemonOnly();
    }

    /**
     * Queues a reminder of each condition {@code target} was told of at least {@code every} ago
     * and not yet told the end of, made by {@code rewrite(payload, newId)}; how many.
     */
    default int outboxRemind(String target, java.time.Duration every,
                             java.util.function.BiFunction<String, String, String> rewrite) {
        throw daemonOnly();
    }

    /** Forgets the notices and conditions of every target not in {@code targets}; how many notices went. */
    default int outboxRetain(java.util.Set<String> targets) {
        throw daemonOnly();
    }

    private static UnsupportedOperationException daemonOnly() {
        return new UnsupportedOperationException("the outbox is the daemon's");
    }

    // job runs
    /**
     * Records that a job starts; a 'once' job with any recorded run never runs again. On disk
     * when it returns, before the job's process exists: a kill -9 right after it leaves a
     * RUNNING run that the next job runner judges, and never a job that ran unrecorded.
     */
    long jobStarted(String job, String revision, String trigger);

    void jobFinished(long id, JobRun.Result result, Integer exitCode, String output);

    /** Newest first; {@code job} null for every job. */
    List<JobRun> jobRuns(String job, int limit);

    // workload archives of applied revisions
    /**
     * Saves (or replaces) the archive of {@code sha}, streamed from {@code archive} (not closed):
     * memory does not grow with the archive's size. It counts as applied now.
     */
    void saveArchive(String sha, java.io.InputStream archive);

    /** For small archives (tests, tools): {@link #saveArchive(String, java.io.InputStream)} of bytes. */
    default void saveArchive(String sha, byte[] archive) {
        saveArchive(sha, new java.io.ByteArrayInputStream(archive));
    }

    /**
     * Streams the archive of {@code sha} to {@code out}; false when there is none.
     *
     * @throws StoreException after the copy, if the stored bytes no longer match the SHA-256
     *                        taken when they were saved (discard what was written)
     */
    boolean archive(String sha, java.io.OutputStream out);

    /** For small archives (tests, tools): the archive of {@code sha} as bytes. */
    default Optional<byte[]> archive(String sha) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        return archive(sha, bytes) ? Optional.of(bytes.toByteArray()) : Optional.empty();
    }

    /**
     * Keeps the archives of the {@code keep} most recently applied revisions; returns how many went.
     * An archive counts as applied at its latest {@link #saveArchive} or {@link #applyStarted}.
     */
    int pruneArchives(int keep);

    /**
     * How many times the daemon's store was found removed (with the state directory) and created
     * anew while the agent ran; 0 for other stores. See docs/decisions/0023-state-directory-lost.md.
     */
    default int stateLosses() {
        return 0;
    }

    @Override
    void close();
}
