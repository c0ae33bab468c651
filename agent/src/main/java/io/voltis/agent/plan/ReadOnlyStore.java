package io.voltis.agent.plan;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import io.voltis.sync.store.ApplyRecord;
import io.voltis.sync.store.Event;
import io.voltis.sync.store.JobRun;
import io.voltis.sync.store.Pin;
import io.voltis.sync.store.RevisionRecord;
import io.voltis.sync.store.RevisionStore;
import io.voltis.sync.store.SourceState;

/**
 * The store as a plan sees it: every read goes to the real store; the notes that preparing a
 * revision takes (a commit seen, its validation, the event of an invalid one) are dropped, so a
 * plan leaves no trace; any other write (an apply, a pin, a job run) is refused, so a plan can
 * never act as the daemon. Closing it leaves the real store open: its owner closes it.
 */
final class ReadOnlyStore implements RevisionStore {

    private final RevisionStore store;

    ReadOnlyStore(RevisionStore store) {
        this.store = store;
    }

    @Override
    public void recordRevision(String sha, String author, Instant committedAt, String message) {
        // dropped: the daemon records the commits it fetches
    }

    @Override
    public void markValidated(String sha, RevisionRecord.Validation validation, String problems) {
        // dropped: the daemon records what validation found when it prepares the commit itself
    }

    @Override
    public void markVerified(String sha, String trust, String signer, String message) {
        // dropped: the daemon records what verification found when it verifies the commit itself
    }

    @Override
    public void markGate(String sha, io.voltis.sync.store.RevisionRecord.Gate gate, String reason) {
        throw refused("record a health gate");
    }

    @Override
    public Optional<String> lastVerified() {
        return store.lastVerified();
    }

    @Override
    public Optional<io.voltis.sync.store.Probation> probation() {
        return store.probation();
    }

    @Override
    public void startProbation(String sha, boolean rollback) {
        throw refused("start a health gate");
    }

    @Override
    public void countProbationAttempt() {
        throw refused("count a health gate attempt");
    }

    @Override
    public void endProbation() {
        throw refused("end a health gate");
    }

    @Override
    public void addEvent(io.voltis.sync.store.EventType type, String revision, String message) {
        // dropped: a plan is not an event of the device
    }

    @Override
    public Optional<RevisionRecord> revision(String sha) {
        return store.revision(sha);
    }

    @Override
    public List<RevisionRecord> revisions(int limit) {
        return store.revisions(limit);
    }

    @Override
    public List<RevisionRecord> revisionsByPrefix(String prefix) {
        return store.revisionsByPrefix(prefix);
    }

    @Override
    public List<ApplyRecord> applies(int limit) {
        return store.applies(limit);
    }

    @Override
    public Optional<ApplyRecord> lastApply() {
        return store.lastApply();
    }

    @Override
    public Optional<ApplyRecord> lastSuccessfulApply() {
        return store.lastSuccessfulApply();
    }

    @Override
    public Optional<Pin> pin() {
        return store.pin();
    }

    @Override
    public SourceState sourceState() {
        return store.sourceState();
    }

    @Override
    public List<Event> events(int limit) {
        return store.events(limit);
    }

    @Override
    public List<Event> eventsAfter(long id, int limit) {
        return store.eventsAfter(id, limit);
    }

    @Override
    public List<JobRun> jobRuns(String job, int limit) {
        return store.jobRuns(job, limit);
    }

    @Override
    public boolean archive(String sha, java.io.OutputStream out) {
        return store.archive(sha, out);
    }

    @Override
    public long applyStarted(String sha) {
        throw refused("record an apply");
    }

    @Override
    public void applyFinished(long id, ApplyRecord.Result result, String error) {
        throw refused("record an apply");
    }

    @Override
    public void setPin(String revision, boolean allowUnverified) {
        throw refused("pin");
    }

    @Override
    public void clearPin() {
        throw refused("unpin");
    }

    @Override
    public void saveSourceState(SourceState state) {
        throw refused("record the source state");
    }

    @Override
    public long jobStarted(String job, String revision, String trigger) {
        throw refused("run a job");
    }

    @Override
    public void jobFinished(long id, JobRun.Result result, Integer exitCode, String output) {
        throw refused("run a job");
    }

    @Override
    public void saveArchive(String sha, java.io.InputStream archive) {
        throw refused("keep an archive");
    }

    @Override
    public int pruneArchives(int keep) {
        throw refused("prune archives");
    }

    @Override
    public void close() {
        // the real store is closed by whoever opened it
    }

    private static UnsupportedOperationException refused(String what) {
        return new UnsupportedOperationException("a plan does not " + what);
    }
}
