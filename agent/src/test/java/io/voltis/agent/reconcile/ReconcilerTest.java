package io.voltis.agent.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import io.voltis.agent.runtime.ServiceStatus;
import io.voltis.sync.store.ApplyRecord;
import io.voltis.sync.store.Event;
import io.voltis.sync.store.JobRun;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reconcile tick with real parts: a Git repo, the H2 store, real files, real processes. */
class ReconcilerTest {

    @TempDir
    java.nio.file.Path tmp;

    AgentFixture f;

    /** A workload of two services (shell sleeps tagged with a marker), a config file, and jobs. */
    static Map<String, String> workload(String greeting, String migrate, String extraServices) {
        Map<String, String> files = new HashMap<>();
        files.put("devices/dev1.yaml", "workload: app\nvars: {greeting: \"" + greeting + "\"}\n");
        files.put("workloads/app/files/app.conf", "greeting=${greeting}\nrevision=${VOLTIS_REVISION}\n");
        files.put("workloads/app/workload.yaml", "apiVersion: voltis/v1\n"
                + "files:\n  - {source: files/app.conf, target: etc/app/app.conf, mode: \"0640\", template: true}\n"
                + "services:\n"
                + "  - {name: db, command: [sh, -c, \"exec sleep 1000 # marker-db\"]}\n"
                + "  - {name: web, command: [sh, -c, \"exec sleep 1000 # marker-web\"], dependsOn: [db]}\n"
                + extraServices
                + "jobs:\n"
                + "  - {name: migrate, run: [sh, -c, \"" + migrate + "\"], when: per-revision, timeout: 2s}\n"
                + "  - {name: init, run: [sh, -c, \"echo init >> $VOLTIS_ROOT/init.log\"], when: once}\n");
        return files;
    }

    @BeforeEach
    void setUp() throws Exception {
        f = new AgentFixture(tmp);
        f.origin.commit("v1", workload("hello", "echo migrated", ""));
        f.start();
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    @Test
    void retryOfAFailedApply_doesNotRunAPerRevisionJobThatAlreadySucceededForThatRevision() throws Exception {
        String sha = f.origin.head();
        assertThat(f.agent.pollNow()).isTrue();
        // an earlier attempt of this revision: its migration succeeded, then a later step failed
        long attempt = f.agent.store().applyStarted(sha);
        long run = f.agent.store().jobStarted("migrate", sha, "per-revision");
        f.agent.store().jobFinished(run, JobRun.Result.SUCCEEDED, 0, "migrated");
        f.agent.store().applyFinished(attempt, io.voltis.sync.store.ApplyRecord.Result.FAILED, "services: cannot start web");

        AgentStatus s = f.converge();

        assertThat(s.phase()).isEqualTo(Phase.SYNCED);
        assertThat(s.appliedRevision()).isEqualTo(sha);
        assertThat(f.agent.store().jobRuns("migrate", 10)).extracting(JobRun::id).containsExactly(run);
        assertThat(f.agent.store().jobRuns("init", 10)).hasSize(1); // the once job had not run: it does
    }

    @Test
    void driftThatCannotBePutBack_isTheLastError_untilItCanThenNoLongerIs() throws Exception {
        assertThat(f.converge().phase()).isEqualTo(Phase.SYNCED);
        java.nio.file.Path conf = tmp.resolve("root/etc/app/app.conf");
        java.nio.file.Files.delete(conf);
        java.nio.file.Files.createDirectories(conf.resolve("in-the-way"));

        AgentStatus blocked = f.agent.tickNow();

        assertThat(blocked.lastError()).startsWith("FilesFailed: drifted files of " + f.origin.head().substring(0, 12)
                + " cannot be put back: ");
        java.nio.file.Files.delete(conf.resolve("in-the-way"));
        java.nio.file.Files.delete(conf);

        AgentStatus fixed = f.agent.tickNow();

        assertThat(f.file("etc/app/app.conf")).startsWith("greeting=hello");
        assertThat(fixed.lastError()).as("recomputed each tick: the problem is gone").isNull();
        assertThat(fixed.phase()).isEqualTo(Phase.SYNCED);
    }

    @Test
    void aFailedApply_isRetriedByItsReasonsKind_andTheReasonWordLeadsEverywhere() throws Exception {
        f.converge();
        f.origin.commit("v2", workload("changed", "echo broken >&2; exit 3", ""));
        AgentStatus s = f.converge();

        assertThat(s.lastError()).startsWith("JobFailed: apply of " + f.origin.head().substring(0, 12) + " failed at jobs:");
        assertThat(f.agent.store().events(20)).anyMatch(e -> e.type().equals("ApplyFailed")
                && e.message().startsWith("JobFailed: jobs: job migrate failed (exit 3)"));
        int applies = f.agent.store().applies(10).size();
        f.agent.tickNow();
        assertThat(f.agent.store().applies(10)).as("JobFailed waits (30 s first) before the same revision again")
                .hasSize(applies);
        assertThat(ApplyReason.JOB_FAILED.retryAt(1, java.time.Instant.EPOCH)).isEqualTo(java.time.Instant.ofEpochSecond(30));
        assertThat(ApplyReason.JOB_FAILED.retryAt(30, java.time.Instant.EPOCH)).isEqualTo(java.time.Instant.ofEpochSecond(600));
        assertThat(ApplyReason.FILES_FAILED.retryAt(1, java.time.Instant.EPOCH)).isEqualTo(java.time.Instant.ofEpochSecond(5));
        assertThat(ApplyReason.INVALID_WORKLOAD.retryAt(1, java.time.Instant.EPOCH)).isEqualTo(java.time.Instant.MAX);
    }

    @Test
    void firstTick_appliesEverything_thenAQuietTickChangesNothing() throws Exception {
        AgentStatus s = f.converge();

        assertThat(s.phase()).isEqualTo(Phase.SYNCED);
        assertThat(s.appliedRevision()).isEqualTo(f.origin.head());
        assertThat(f.file("etc/app/app.conf")).isEqualTo("greeting=hello\nrevision=" + f.origin.head() + "\n");
        assertThat(s.services()).extracting(ServiceStatus::name, x -> x.actual().word())
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("db", "running"),
                        org.assertj.core.groups.Tuple.tuple("web", "running"));
        assertThat(f.agent.store().jobRuns("migrate", 10)).extracting(JobRun::result).containsExactly(JobRun.Result.SUCCEEDED);
        long web = f.pid("web").orElseThrow();

        AgentStatus quiet = f.agent.tickNow();

        assertThat(quiet.phase()).isEqualTo(Phase.SYNCED);
        assertThat(f.pid("web")).contains(web);
        assertThat(f.agent.store().applies(10)).hasSize(1);
    }

    @Test
    void failingPerRevisionJob_failsTheApply_restoresFiles_leavesServices() throws Exception {
        f.converge();
        String v1 = f.origin.head();
        long web = f.pid("web").orElseThrow();
        f.origin.commit("v2", workload("changed", "echo broken >&2; exit 3", ""));

        AgentStatus s = f.converge();

        assertThat(s.phase()).isEqualTo(Phase.FAILED);
        assertThat(s.appliedRevision()).isEqualTo(v1);
        assertThat(s.lastError()).contains("failed at jobs: job migrate failed (exit 3): broken");
        assertThat(f.file("etc/app/app.conf")).contains("greeting=hello");
        assertThat(f.pid("web")).contains(web);
        assertThat(f.agent.store().applies(10)).extracting(ApplyRecord::result)
                .containsExactly(ApplyRecord.Result.FAILED, ApplyRecord.Result.SUCCEEDED);
    }

    @Test
    void jobHangingPastItsTimeout_failsTheApply() throws Exception {
        f.converge();
        f.origin.commit("v2", workload("changed", "sleep 1000", ""));

        AgentStatus s = f.converge();

        assertThat(s.phase()).isEqualTo(Phase.FAILED);
        assertThat(s.lastError()).contains("job migrate timed out");
        assertThat(f.file("etc/app/app.conf")).contains("greeting=hello");
    }

    @Test
    void invalidCommit_isHeldOff_theDeviceKeepsItsRevision() throws Exception {
        f.converge();
        String v1 = f.origin.head();
        Map<String, String> bad = workload("hello", "echo ok", "");
        bad.put("workloads/app/workload.yaml", bad.get("workloads/app/workload.yaml").replace("[db]}", "[db], restart: sometimes}"));
        f.origin.commit("typo", bad);

        AgentStatus s = f.converge();

        assertThat(s.phase()).isEqualTo(Phase.FAILED);
        assertThat(s.appliedRevision()).isEqualTo(v1);
        assertThat(s.lastError()).contains("is invalid: workloads/app/workload.yaml:").contains("'sometimes' is not one of");
        assertThat(f.agent.store().applies(10)).hasSize(1);
    }

    @Test
    void crashLoopAndMissingCommand_degradeThePhase_othersKeepRunning() throws Exception {
        f.origin.commit("v2", workload("hello", "echo ok",
                "  - {name: flaky, command: [sh, -c, \"echo dying; exit 4\"]}\n"
                        + "  - {name: ghost, command: [bin/no-such-program]}\n"));

        AgentStatus s = f.converge();
        await().atMost(Duration.ofSeconds(20)).until(() -> f.agent.tickNow().services().stream()
                .anyMatch(x -> x.name().equals("flaky") && x.restarts() >= 1));
        s = f.agent.tickNow();

        assertThat(s.phase()).isEqualTo(Phase.DEGRADED);
        ServiceStatus flaky = s.services().stream().filter(x -> x.name().equals("flaky")).findFirst().orElseThrow();
        assertThat(flaky.lastExitCode()).isEqualTo(4);
        assertThat(flaky.lastLogLines()).contains("dying");
        ServiceStatus ghost = s.services().stream().filter(x -> x.name().equals("ghost")).findFirst().orElseThrow();
        assertThat(ghost.message()).contains("no-such-program");
        assertThat(s.services().stream().filter(x -> x.name().equals("web")).findFirst().orElseThrow().actual())
                .isEqualTo(ServiceStatus.Actual.RUNNING);
        assertThat(f.agent.store().events(50)).filteredOn(e -> e.type().equals("ServiceDegraded"))
                .extracting(Event::message).anyMatch(m -> m.startsWith("flaky: ")).anyMatch(m -> m.startsWith("ghost: "));
    }

    @Test
    void fileEditedByHand_isPutBack_withAnEvent() throws Exception {
        f.converge();
        Files.writeString(f.root.resolve("etc/app/app.conf"), "greeting=tampered\n");

        f.agent.tickNow();

        assertThat(f.file("etc/app/app.conf")).contains("greeting=hello");
        assertThat(f.agent.store().events(5)).extracting(Event::type).contains("DriftCorrected");
    }

    @Test
    void cliPin_holdsAnOlderRevision_untilUnpinned() throws Exception {
        f.converge();
        String v1 = f.origin.head();
        f.origin.commit("v2", workload("second", "echo ok", ""));
        String v2 = f.origin.head();
        assertThat(f.converge().appliedRevision()).isEqualTo(v2);

        f.agent.store().setPin(v1.substring(0, 10));
        AgentStatus pinned = f.converge();

        assertThat(pinned.appliedRevision()).isEqualTo(v1);
        assertThat(pinned.pin().revision()).isEqualTo(v1.substring(0, 10));
        assertThat(f.file("etc/app/app.conf")).contains("greeting=hello");

        f.agent.store().clearPin();
        assertThat(f.converge().appliedRevision()).isEqualTo(v2);
    }

    @Test
    void deviceFileRemoved_isNoWorkload_andNothingIsTornDown() throws Exception {
        f.converge();
        long web = f.pid("web").orElseThrow();
        f.origin.delete("retire dev1", "devices/dev1.yaml");

        AgentStatus s = f.converge();

        assertThat(s.phase()).isEqualTo(Phase.NO_WORKLOAD);
        assertThat(f.pid("web")).contains(web);
        assertThat(f.root.resolve("etc/app/app.conf")).exists();
    }

    @Test
    void onceJob_runsOnceEver_perRevisionJob_everyRevision() throws Exception {
        f.converge();
        f.origin.commit("v2", workload("second", "echo again", ""));
        f.converge();
        f.agent.close();
        f.start();
        f.origin.commit("v3", workload("third", "echo third", ""));
        f.converge();

        assertThat(f.agent.store().jobRuns("init", 10)).hasSize(1);
        assertThat(f.file("init.log")).isEqualTo("init\n");
        assertThat(f.agent.store().jobRuns("migrate", 10)).hasSize(3);
    }

    @Test
    void serviceNoLongerDeclared_isStopped() throws Exception {
        f.origin.commit("v2", workload("hello", "echo ok", "  - {name: extra, command: [sh, -c, \"exec sleep 1000 # marker-extra\"]}\n"));
        f.converge();
        long extra = f.pid("extra").orElseThrow();
        f.origin.commit("v3", workload("hello", "echo ok", ""));

        f.converge();

        await().atMost(Duration.ofSeconds(20)).until(() -> ProcessHandle.of(extra).map(h -> !h.isAlive()).orElse(true));
        assertThat(f.agent.status().services()).extracting(ServiceStatus::name).containsExactlyInAnyOrder("db", "web");
    }

    @Test
    void oldRevisions_arePrunedToTheLastTen() throws Exception {
        f.converge();
        for (int i = 2; i <= 12; i++) {
            f.origin.commit("v" + i, workload("greeting " + i, "echo ok", ""));
            f.converge();
        }

        try (var dirs = Files.list(f.state.resolve("revisions"))) {
            assertThat(dirs.map(d -> d.getFileName().toString())).hasSize(10).contains(f.origin.head());
        }
        assertThat(f.agent.store().archive(f.origin.head())).isPresent();
    }

    @Test
    void pinToACommitTheServerDoesNotHave_failsClearly_andKeepsWhatRuns() throws Exception {
        f.converge();
        String v1 = f.origin.head();
        f.agent.store().setPin("0123456789abcdef0123456789abcdef01234567");

        AgentStatus s = f.converge();

        assertThat(s.phase()).isEqualTo(Phase.FAILED);
        assertThat(s.appliedRevision()).isEqualTo(v1);
        assertThat(s.lastError()).startsWith("RevisionNotFound: commit 0123456789abcdef0123456789abcdef01234567 is not on");
        assertThat(s.pin().revision()).isEqualTo("0123456789abcdef0123456789abcdef01234567");
    }
}
