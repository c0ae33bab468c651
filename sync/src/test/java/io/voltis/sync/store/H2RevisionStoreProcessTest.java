package io.voltis.sync.store;

import io.voltis.sync.testing.MutableClock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon and a CLI command as two real JVMs on one state directory: the owner in a child
 * process ({@link StoreProcessMain}), the client or a second owner in this one.
 */
class H2RevisionStoreProcessTest {

    private static final String A = "a".repeat(40);
    private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");

    @TempDir
    Path tmp;

    private final MutableClock clock = new MutableClock(NOW);

    private Path state() {
        return tmp.resolve("state");
    }

    @Test
    void clientInAnotherProcess_readsOwnersWrites_andOwnerSeesClientsPin() throws Exception {
        try (StoreProcess owner = StoreProcess.start(state(), "owner", tmp)) {
            int port = Integer.parseInt(owner.expect("ready"));
            owner.ask("record " + A + " written by the daemon", "ok");
            assertThat(Files.readString(state().resolve("db/server")).trim()).isEqualTo(Integer.toString(port));

            try (RevisionStore cli = RevisionStore.openClient(state(), clock)) {
                assertThat(((H2RevisionStore) cli).remote()).as("through the daemon's port").isTrue();
                assertThat(cli.revision(A).orElseThrow().message()).isEqualTo("written by the daemon");

                cli.setPin(A);
                assertThat(owner.ask("pin", "pin")).isEqualTo(A);

                cli.clearPin();
                assertThat(owner.ask("pin", "pin")).isEqualTo("none");
                cli.setPin(A);
            }

            assertThat(owner.stop()).isZero();
        }
        assertThat(state().resolve("db/server")).as("deleted by a clean stop").doesNotExist();

        try (RevisionStore cli = RevisionStore.openClient(state(), clock)) {
            assertThat(((H2RevisionStore) cli).remote()).as("the file itself, no daemon").isFalse();
            assertThat(cli.pin().orElseThrow().revision()).isEqualTo(A);
            assertThat(cli.revision(A)).isPresent();
        }
    }

    @Test
    void secondOwner_whileAnOwnerRuns_isRefused_andTheRunningOneCarriesOn() throws Exception {
        try (StoreProcess owner = StoreProcess.start(state(), "owner", tmp)) {
            String port = owner.expect("ready");

            assertThatThrownBy(() -> RevisionStore.openOwner(state(), clock))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining(state().resolve("db/voltis.mv.db").toString())
                    .hasMessageContaining("already in use by another agent process")
                    .hasMessageContaining("127.0.0.1:" + port);

            assertThat(Files.readString(state().resolve("db/server")).trim()).isEqualTo(port);
            owner.ask("record " + A + " still working", "ok");
            assertThat(owner.ask("revision " + A, "revision")).isEqualTo("still working");
            assertThat(owner.stop()).isZero();
        }
    }

    @Test
    void ownerKilled_afterCommittedWrites_nextOwnerHasThem_andMarksTheApplyInterrupted() throws Exception {
        long applyId;
        String oldPort;
        try (StoreProcess owner = StoreProcess.start(state(), "owner", tmp)) {
            oldPort = owner.expect("ready");
            owner.ask("record " + A + " the last commit before the crash", "ok");
            applyId = Long.parseLong(owner.ask("start " + A, "apply"));
            try (RevisionStore cli = RevisionStore.openClient(state(), clock)) {
                cli.setPin(A); // committed by a client, through the owner
            }

            assertThat(owner.kill()).as("killed by SIGKILL").isEqualTo(137);
        }
        assertThat(Files.readString(state().resolve("db/server")).trim()).as("left behind by kill -9").isEqualTo(oldPort);

        try (RevisionStore cli = RevisionStore.openClient(state(), clock)) {
            assertThat(((H2RevisionStore) cli).remote()).as("the stale port is not used").isFalse();
            assertThat(cli.lastApply().orElseThrow().result()).as("only the owner judges applies")
                    .isEqualTo(ApplyRecord.Result.RUNNING);
        }

        try (RevisionStore daemon = RevisionStore.openOwner(state(), clock)) {
            assertThat(daemon.revision(A).orElseThrow().message()).isEqualTo("the last commit before the crash");
            assertThat(daemon.pin().orElseThrow().revision()).isEqualTo(A);
            assertThat(daemon.lastApply().orElseThrow())
                    .extracting(ApplyRecord::id, ApplyRecord::sha, ApplyRecord::finishedAt, ApplyRecord::result,
                            ApplyRecord::error)
                    .containsExactly(applyId, A, NOW, ApplyRecord.Result.INTERRUPTED, "the agent stopped during this apply");
            assertThat(Files.readString(state().resolve("db/server")).trim())
                    .isEqualTo(Integer.toString(((OwnerStore) daemon).serverPort()));
        }
    }

    @Test
    void ownerOpen_whileACommandHoldsTheFile_waitsThenSaysSo() throws Exception {
        RevisionStore.openOwner(state(), clock).close();
        try (StoreProcess command = StoreProcess.start(state(), "client", tmp)) {
            assertThat(command.expect("ready")).as("no daemon: the file itself").isEqualTo("-1");

            assertThatThrownBy(() -> RevisionStore.openOwner(state(), clock))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining(state().resolve("db/voltis.mv.db").toString())
                    .hasMessageContaining("in use by another process (a voltis-agent command");

            assertThat(command.stop()).isZero();
        }
        try (RevisionStore daemon = RevisionStore.openOwner(state(), clock)) {
            assertThat(((OwnerStore) daemon).serverPort()).isPositive();
        }
    }
}
