package io.voltis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import io.voltis.sync.store.ApplyRecord;
import io.voltis.sync.store.RevisionStore;
import io.voltis.sync.testing.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which revision `rollback` picks, on a real store with the daemon stopped. */
class RollbackCommandTest {

    static final String A = "a".repeat(40);
    static final String B = "b".repeat(40);
    static final String C = "c".repeat(40);

    @TempDir
    Path tmp;

    /** A, B, C fetched and applied in turn; then the device was taken back to B. */
    void history() {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-22T10:00:00Z"));
        try (RevisionStore store = RevisionStore.openOwner(tmp.resolve("state"), clock)) {
            for (String sha : new String[] {A, B, C, B}) {
                store.recordRevision(sha, "op", clock.instant(), "commit " + sha.charAt(0));
                clock.advance(Duration.ofMinutes(1));
                store.applyFinished(store.applyStarted(sha), ApplyRecord.Result.SUCCEEDED, null);
            }
        }
    }

    @Test
    void rollback_goesToTheRevisionBeforeTheAppliedOne_neverForward() {
        history();

        Cli r = Cli.run("rollback", "--state-dir", tmp.resolve("state").toString());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains(" back from " + B.substring(0, 12) + " to " + A.substring(0, 12) + " (pinned, from cli)");
        try (RevisionStore store = RevisionStore.openClient(tmp.resolve("state"), java.time.Clock.systemUTC())) {
            assertThat(store.pin()).hasValueSatisfying(p -> assertThat(p.revision()).isEqualTo(A));
        }
    }

    @Test
    void rollbackTo_aRevisionTheDeviceNeverSaw_isExit1() {
        history();

        Cli r = Cli.run("rollback", "--to", "dddddddd", "--state-dir", tmp.resolve("state").toString());

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("rollback: unknown revision 'dddddddd': not a commit this device has seen\n");
    }

    @Test
    void rollbackTo_aRevisionRecordedInvalid_isExit1_andPinsNothing() {
        history();
        String d = "d".repeat(40);
        try (RevisionStore store = RevisionStore.openOwner(tmp.resolve("state"), java.time.Clock.systemUTC())) {
            store.recordRevision(d, "op", Instant.parse("2026-11-22T11:00:00Z"), "a broken commit");
            store.markValidated(d, io.voltis.sync.store.RevisionRecord.Validation.INVALID,
                    "workloads/w/workload.yaml:3:5: services[0].restart: 'sometimes' is not one of always|on-failure|never");
        }

        Cli r = Cli.run("rollback", "--to", d.substring(0, 8), "--state-dir", tmp.resolve("state").toString());

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("rollback: cannot roll back to " + d.substring(0, 12) + ": it is recorded invalid"
                + " (workloads/w/workload.yaml:3:5: services[0].restart: 'sometimes' is not one of always|on-failure|never);"
                + " roll back to a revision that applied\n");
        try (RevisionStore store = RevisionStore.openClient(tmp.resolve("state"), java.time.Clock.systemUTC())) {
            assertThat(store.pin()).isEmpty();
        }
    }
}
