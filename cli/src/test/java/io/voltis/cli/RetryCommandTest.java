package io.voltis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;

import io.voltis.sync.store.Event;
import io.voltis.sync.store.RevisionRecord;
import io.voltis.sync.store.RevisionStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `retry` and `pin` of a quarantined revision, on a real store with the daemon stopped. */
class RetryCommandTest {

    static final String BAD = "b".repeat(40);
    static final String BROKEN = "c".repeat(40);
    static final String GATE_PROBLEM = "quarantined: the health gate failed: service web backoff, exit 3";

    @TempDir
    Path tmp;

    @BeforeEach
    void quarantined() {
        try (RevisionStore store = RevisionStore.openOwner(tmp.resolve("state"), Clock.systemUTC())) {
            store.recordRevision(BAD, "op", Instant.parse("2026-12-01T10:00:00Z"), "crashes");
            store.markGate(BAD, RevisionRecord.Gate.FAILED, "service web backoff, exit 3");
            store.markValidated(BAD, RevisionRecord.Validation.INVALID, GATE_PROBLEM);
            store.recordRevision(BROKEN, "op", Instant.parse("2026-12-01T10:00:00Z"), "typo");
            store.markValidated(BROKEN, RevisionRecord.Validation.INVALID, "workloads/w/workload.yaml:3:5: services[0].restart: bad");
        }
    }

    RevisionRecord record(String sha) {
        try (RevisionStore store = RevisionStore.openClient(tmp.resolve("state"), Clock.systemUTC())) {
            return store.revision(sha).orElseThrow();
        }
    }

    @Test
    void retry_releasesAQuarantinedRevision_withAnEvent() {
        Cli r = Cli.run("retry", BAD.substring(0, 8), "--state-dir", tmp.resolve("state").toString());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("released " + BAD.substring(0, 12) + " on ").contains(GATE_PROBLEM);
        assertThat(record(BAD).validation()).isEqualTo(RevisionRecord.Validation.PENDING);
        assertThat(record(BAD).gate()).isNull();
        try (RevisionStore store = RevisionStore.openClient(tmp.resolve("state"), Clock.systemUTC())) {
            assertThat(store.events(5)).extracting(Event::type).contains("Retried");
        }
    }

    @Test
    void retry_ofAnInvalidRevision_isExit1_sayingToFixTheRepo() {
        Cli r = Cli.run("retry", BROKEN, "--state-dir", tmp.resolve("state").toString());

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("retry: " + BROKEN.substring(0, 12) + " is not quarantined: it is invalid"
                + " (workloads/w/workload.yaml:3:5: services[0].restart: bad); fix the repo\n");
        assertThat(record(BROKEN).validation()).isEqualTo(RevisionRecord.Validation.INVALID);
    }

    @Test
    void pin_ofAQuarantinedRevision_releasesIt() {
        Cli r = Cli.run("pin", BAD, "--state-dir", tmp.resolve("state").toString());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("released from quarantine (" + GATE_PROBLEM + ")");
        assertThat(record(BAD).validation()).isEqualTo(RevisionRecord.Validation.PENDING);
    }
}
