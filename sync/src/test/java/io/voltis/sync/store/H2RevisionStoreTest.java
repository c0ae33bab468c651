package io.voltis.sync.store;

import io.voltis.sync.testing.MutableClock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.voltis.sync.store.ApplyRecord.Result;
import io.voltis.sync.store.RevisionRecord.Validation;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each method of the store on a real H2 file, opened as the daemon opens it. */
class H2RevisionStoreTest {

    private static final String A = "a".repeat(40);
    private static final String B = "b".repeat(40);
    private static final String C = "c".repeat(40);
    private static final Instant T0 = Instant.parse("2026-11-22T10:00:00.123456789Z");

    @TempDir
    Path tmp;

    private final MutableClock clock = new MutableClock(T0);
    private RevisionStore store;

    @BeforeEach
    void open() {
        store = RevisionStore.openOwner(tmp.resolve("state"), clock);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void recordRevision_storesGitFactsAndFirstSeen_pendingValidation() {
        Instant committed = Instant.parse("2026-11-21T08:30:00Z");
        store.recordRevision(A, "Ada <ada@example.com>", committed, "first commit");

        assertThat(store.revision(A)).contains(
                new RevisionRecord(A, "Ada <ada@example.com>", committed, "first commit", T0, Validation.PENDING, null));
        assertThat(store.revision(B)).isEmpty();
    }

    @Test
    void recordRevision_repeated_keepsTheFirstFirstSeen() {
        store.recordRevision(A, "ada", T0, "m");
        clock.advance(Duration.ofHours(1));
        store.recordRevision(A, "ada", T0, "m");

        assertThat(store.revision(A).orElseThrow().firstSeen()).isEqualTo(T0);
        assertThat(store.revisions(10)).hasSize(1);
    }

    @Test
    void revisions_newestFirstSeenFirst_limited() {
        store.recordRevision(A, "ada", T0, "one");
        clock.advance(Duration.ofSeconds(1));
        store.recordRevision(B, "ada", T0, "two");
        store.recordRevision(C, "ada", T0, "three, seen at the same instant as two");

        assertThat(store.revisions(10)).extracting(RevisionRecord::sha).containsExactly(C, B, A);
        assertThat(store.revisions(2)).extracting(RevisionRecord::sha).containsExactly(C, B);
        assertThat(store.revisions(0)).isEmpty();
    }

    @Test
    void revisionsByPrefix_matchesShortShasOnly_caseInsensitive() {
        String abc1 = "abc1" + "0".repeat(36);
        String abc2 = "abc2" + "0".repeat(36);
        store.recordRevision(abc1, "ada", T0, "m");
        clock.advance(Duration.ofSeconds(1));
        store.recordRevision(abc2, "ada", T0, "m");
        store.recordRevision(B, "ada", T0, "m");

        assertThat(store.revisionsByPrefix("abc")).extracting(RevisionRecord::sha).containsExactly(abc2, abc1);
        assertThat(store.revisionsByPrefix("ABC1")).extracting(RevisionRecord::sha).containsExactly(abc1);
        assertThat(store.revisionsByPrefix("abd")).isEmpty();
        assertThat(store.revisionsByPrefix("a_c")).as("_ is not a wildcard").isEmpty();
        assertThat(store.revisionsByPrefix("%")).as("%% is not a wildcard").isEmpty();
    }

    @Test
    void markValidated_invalid_keepsTheProblems() {
        store.recordRevision(A, "ada", T0, "m");
        store.markValidated(A, Validation.INVALID, "devices/edge-01.yaml:3:1: workload: required\nsecond problem");

        RevisionRecord record = store.revision(A).orElseThrow();
        assertThat(record.validation()).isEqualTo(Validation.INVALID);
        assertThat(record.problems()).isEqualTo("devices/edge-01.yaml:3:1: workload: required\nsecond problem");

        store.markValidated(A, Validation.VALID, null);
        assertThat(store.revision(A).orElseThrow()).extracting(RevisionRecord::validation, RevisionRecord::problems)
                .containsExactly(Validation.VALID, null);
    }

    @Test
    void markValidated_unknownSha_fails() {
        assertThatThrownBy(() -> store.markValidated(A, Validation.VALID, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(A);
    }

    @Test
    void apply_lifecycle_runningThenFinished() {
        long first = store.applyStarted(A);
        ApplyRecord running = store.lastApply().orElseThrow();
        assertThat(running).isEqualTo(new ApplyRecord(first, A, T0, null, Result.RUNNING, null));

        Instant end = clock.advance(Duration.ofSeconds(5));
        store.applyFinished(first, Result.FAILED, "services[0]: gateway exited with 1");
        long second = store.applyStarted(B);

        assertThat(second).isGreaterThan(first);
        assertThat(store.applies(10)).containsExactly(
                new ApplyRecord(second, B, end, null, Result.RUNNING, null),
                new ApplyRecord(first, A, T0, end, Result.FAILED, "services[0]: gateway exited with 1"));
        assertThat(store.applies(1)).extracting(ApplyRecord::id).containsExactly(second);
    }

    @Test
    void applyFinished_twiceOrUnknownOrAsRunning_fails() {
        long id = store.applyStarted(A);
        store.applyFinished(id, Result.SUCCEEDED, null);

        assertThatThrownBy(() -> store.applyFinished(id, Result.FAILED, "late"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("finished as SUCCEEDED");
        assertThatThrownBy(() -> store.applyFinished(id + 100, Result.FAILED, null))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no such apply");
        assertThatThrownBy(() -> store.applyFinished(id, Result.RUNNING, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(store.lastApply().orElseThrow().result()).isEqualTo(Result.SUCCEEDED);
    }

    @Test
    void lastSuccessfulApply_skipsFailedAndRunning() {
        assertThat(store.lastSuccessfulApply()).isEmpty();
        long a = store.applyStarted(A);
        store.applyFinished(a, Result.SUCCEEDED, null);
        long b = store.applyStarted(B);
        store.applyFinished(b, Result.FAILED, "boom");
        store.applyStarted(C);

        assertThat(store.lastSuccessfulApply().orElseThrow()).extracting(ApplyRecord::id, ApplyRecord::sha)
                .containsExactly(a, A);
        assertThat(store.lastApply().orElseThrow().sha()).isEqualTo(C);
    }

    @Test
    void pin_setReplaceClear() {
        assertThat(store.pin()).isEmpty();

        store.setPin(A);
        assertThat(store.pin()).contains(new Pin(A, Pin.Source.CLI, T0));

        Instant later = clock.advance(Duration.ofMinutes(1));
        store.setPin("v1.2");
        assertThat(store.pin()).contains(new Pin("v1.2", Pin.Source.CLI, later));

        store.clearPin();
        assertThat(store.pin()).isEmpty();
        store.clearPin();
        assertThat(store.pin()).isEmpty();
    }

    @Test
    void sourceState_unknownUntilSaved_roundTripsWithNulls() {
        assertThat(store.sourceState()).isEqualTo(SourceState.UNKNOWN);

        SourceState failing = new SourceState(T0, null, null, false, "GitUnreachable",
                "connect to git.example.com:443: connection refused", T0.minusSeconds(60));
        store.saveSourceState(failing);
        assertThat(store.sourceState()).isEqualTo(failing);

        SourceState recovered = new SourceState(T0.plusSeconds(30), T0.plusSeconds(30), A, true, null, null, null);
        store.saveSourceState(recovered);
        assertThat(store.sourceState()).isEqualTo(recovered);
    }

    @Test
    void events_newestFirst_withTimeAndRevision() {
        store.addEvent(EventType.REVISION_SEEN, A, "new head of main");
        Instant later = clock.advance(Duration.ofSeconds(2));
        store.addEvent(EventType.SOURCE_FAILED, null, "GitUnreachable: connection refused");

        assertThat(store.events(10)).extracting(Event::at, Event::type, Event::revision, Event::message).containsExactly(
                org.assertj.core.groups.Tuple.tuple(later, "SourceFailed", null, "GitUnreachable: connection refused"),
                org.assertj.core.groups.Tuple.tuple(T0, "RevisionSeen", A, "new head of main"));
        assertThat(store.events(1)).extracting(Event::type).containsExactly("SourceFailed");
    }

    @Test
    void eventsAfter_areOldestFirst_fromTheGivenId() {
        store.addEvent(EventType.REVISION_SEEN, A, "one");
        store.addEvent(EventType.APPLY_STARTED, A, "two");
        store.addEvent(EventType.APPLIED, A, "three");
        long first = store.events(3).get(2).id();

        assertThat(store.eventsAfter(first, 10)).extracting(Event::message).containsExactly("two", "three");
        assertThat(store.eventsAfter(first, 1)).extracting(Event::message).containsExactly("two");
        assertThat(store.eventsAfter(first + 2, 10)).isEmpty();
    }

    @Test
    void events_keepTheNewestThousand() {
        IntStream.rangeClosed(1, EventsTable.KEPT + 5).forEach(i -> store.addEvent(EventType.PHASE_CHANGED, null, "event " + i));

        assertThat(store.events(5000)).hasSize(EventsTable.KEPT);
        assertThat(store.events(1).get(0).message()).isEqualTo("event 1005");
        assertThat(store.events(5000).get(EventsTable.KEPT - 1).message()).isEqualTo("event 6");
    }

    @Test
    void archives_saveReadReplace() {
        byte[] tree = {1, 2, 3, 0, (byte) 0xff};
        store.saveArchive(A, tree);

        assertThat(store.archive(A)).hasValueSatisfying(bytes -> assertThat(bytes).containsExactly(tree));
        assertThat(store.archive(B)).isEmpty();

        store.saveArchive(A, new byte[] {9});
        assertThat(store.archive(A)).hasValueSatisfying(bytes -> assertThat(bytes).containsExactly(9));
    }

    @Test
    void archives_largeArchive_roundTrips() {
        byte[] tree = new byte[3 * 1024 * 1024];
        new java.util.Random(42).nextBytes(tree);
        store.saveArchive(A, tree);

        assertThat(store.archive(A)).hasValueSatisfying(bytes -> assertThat(bytes).isEqualTo(tree));
    }

    @Test
    void pruneArchives_keepsTheMostRecentlyApplied_rollbackTargetCountsAsRecent() {
        store.saveArchive(A, new byte[] {1});
        clock.advance(Duration.ofMinutes(1));
        store.saveArchive(B, new byte[] {2});
        clock.advance(Duration.ofMinutes(1));
        store.saveArchive(C, new byte[] {3});
        clock.advance(Duration.ofMinutes(1));
        store.applyStarted(A); // a rollback to A makes it the most recently applied

        assertThat(store.pruneArchives(2)).isEqualTo(1);
        assertThat(store.archive(A)).isPresent();
        assertThat(store.archive(B)).isEmpty();
        assertThat(store.archive(C)).isPresent();

        assertThat(store.pruneArchives(2)).isZero();
        assertThat(store.pruneArchives(0)).isEqualTo(2);
        assertThat(store.archive(A)).isEmpty();
        assertThatThrownBy(() -> store.pruneArchives(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void texts_longerThanTheLimit_areClipped() {
        String huge = "x".repeat(Jdbc.TEXT_LIMIT + 10);
        store.recordRevision(A, "ada", T0, huge);

        assertThat(store.revision(A).orElseThrow().message()).hasSize(Jdbc.TEXT_LIMIT).endsWith("...");
    }

    @Test
    void everything_survivesCloseAndReopen() {
        store.recordRevision(A, "ada", T0, "m");
        long id = store.applyStarted(A);
        store.applyFinished(id, Result.SUCCEEDED, null);
        store.setPin(A);
        store.saveArchive(A, new byte[] {7});
        store.close();

        store = RevisionStore.openOwner(tmp.resolve("state"), clock);

        assertThat(store.revision(A)).isPresent();
        assertThat(store.lastSuccessfulApply().orElseThrow().id()).isEqualTo(id);
        assertThat(store.pin().orElseThrow().revision()).isEqualTo(A);
        assertThat(store.archive(A)).hasValueSatisfying(bytes -> assertThat(bytes).containsExactly(7));
    }

    @Test
    void closedStore_refusesUse_closeTwiceIsHarmless() {
        store.close();
        store.close();

        assertThatThrownBy(() -> store.pin()).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }
}
