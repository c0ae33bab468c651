package io.voltis.agent.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.voltis.sync.store.Event;
import io.voltis.sync.store.RevisionRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The health gate with real processes, a real repo and the H2 store: a revision that breaks its
 * service is rolled back to the last verified one and quarantined; hold; a broken rollback target
 * is held, never looped; unhealthy services, hanging and failing checks; agent restarts inside the
 * window; retry. Windows are short (seconds) so the tests do not wait a minute.
 */
class HealthGateTest {

    @TempDir
    java.nio.file.Path tmp;

    AgentFixture f;

    @BeforeEach
    void setUp() {
        f = new AgentFixture(tmp);
        f.once = false; // the daemon: --once runs no gate
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    /** A workload of one service running {@code script} (sh -c), its version in a file, and {@code gate}. */
    static Map<String, String> workload(String version, String script, String gate) {
        Map<String, String> files = new HashMap<>();
        files.put("devices/dev1.yaml", "workload: app\n");
        files.put("workloads/app/files/version", version + "\n");
        files.put("workloads/app/workload.yaml", "apiVersion: voltis/v1\n"
                + "files:\n  - {source: files/version, target: etc/version}\n"
                + (script == null ? "" : "services:\n  - {name: web, command: [sh, -c, \"" + script + "\"]}\n")
                + gate);
        return files;
    }

    static final String GOOD = "exec sleep 1000 # gate-test";
    static final String CRASH = "echo starting; echo 'cannot open port' >&2; exit 3";

    /** Ticks until {@code done} or 20 s. */
    AgentStatus tickUntil(java.util.function.Predicate<AgentStatus> done) throws InterruptedException {
        f.agent.pollNow();
        AgentStatus s = f.agent.tickNow();
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!done.test(s) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            s = f.agent.tickNow();
        }
        return s;
    }

    List<String> events() {
        return f.agent.store().events(100).stream().map(Event::type).toList();
    }

    String version() throws Exception {
        return f.file("etc/version").strip();
    }

    @Test
    void aRevisionWhoseServiceCrashes_isRolledBackToTheLastVerified_andQuarantined_thenANewerGoodOneApplies() throws Exception {
        String v1 = f.origin.commit("v1", workload("1", GOOD, "gate: {window: 1s}\n"));
        f.start();
        AgentStatus s = tickUntil(x -> f.agent.store().revision(v1).map(r -> r.gate() == RevisionRecord.Gate.PASSED).orElse(false));
        assertThat(s.appliedRevision()).isEqualTo(v1);
        assertThat(events()).contains("GateStarted", "GatePassed");

        String bad = f.origin.commit("v2", workload("2", CRASH, "gate: {window: 30s}\n"));
        s = tickUntil(x -> x.phase() == Phase.ROLLED_BACK);

        assertThat(s.phase()).isEqualTo(Phase.ROLLED_BACK);
        assertThat(s.appliedRevision()).isEqualTo(v1);
        assertThat(s.desiredRevision()).isEqualTo(bad);
        assertThat(version()).isEqualTo("1");
        assertThat(s.lastError()).startsWith("GateFailed: " + bad.substring(0, 12) + " is quarantined: service web ")
                .contains("exit 3").contains("cannot open port").contains("running " + v1.substring(0, 12))
                .contains("voltis-agent retry " + bad.substring(0, 12));
        assertThat(s.gate().state()).isEqualTo("rolled-back");
        assertThat(s.gate().quarantined()).isEqualTo(bad);
        assertThat(f.pid("web")).isPresent();
        RevisionRecord quarantined = f.agent.store().revision(bad).orElseThrow();
        assertThat(quarantined.gate()).isEqualTo(RevisionRecord.Gate.FAILED);
        assertThat(quarantined.validation()).isEqualTo(RevisionRecord.Validation.INVALID);
        assertThat(events()).contains("GateFailed", "RolledBack");
        assertThat(f.agent.apiSources().metrics().get()).contains("voltis_rollbacks_total{reason=\"ServiceFailed\"} 1.0")
                .contains("voltis_gate_duration_seconds_count{result=\"failed\"} 1");

        // the quarantined revision is not tried again
        for (int i = 0; i < 5; i++) {
            s = f.agent.tickNow();
        }
        assertThat(s.appliedRevision()).isEqualTo(v1);
        assertThat(f.agent.store().applies(100).stream().filter(a -> a.sha().equals(bad)).count()).isEqualTo(1);

        // a newer good commit is applied
        String v3 = f.origin.commit("v3", workload("3", GOOD, "gate: {window: 1s}\n"));
        s = tickUntil(x -> v3.equals(x.appliedRevision()) && x.gate() == null);
        assertThat(s.phase()).isEqualTo(Phase.SYNCED);
        assertThat(version()).isEqualTo("3");
        assertThat(f.agent.store().revision(v3).orElseThrow().gate()).isEqualTo(RevisionRecord.Gate.PASSED);
    }

    @Test
    void retry_releasesTheQuarantine_andTheRevisionIsAppliedAgain() throws Exception {
        String v1 = f.origin.commit("v1", workload("1", GOOD, "gate: {window: 0s}\n"));
        f.start();
        assertThat(tickUntil(x -> v1.equals(x.appliedRevision())).appliedRevision()).isEqualTo(v1);
        String bad = f.origin.commit("v2", workload("2", CRASH, "gate: {window: 30s}\n"));
        assertThat(tickUntil(x -> x.phase() == Phase.ROLLED_BACK).phase()).isEqualTo(Phase.ROLLED_BACK);

        f.agent.store().markValidated(bad, RevisionRecord.Validation.PENDING, null); // what `voltis-agent retry` writes
        f.agent.store().markGate(bad, null, null);
        AgentStatus s = tickUntil(x -> f.agent.store().applies(100).stream().filter(a -> a.sha().equals(bad)).count() == 2
                && x.phase() == Phase.ROLLED_BACK);
        assertThat(f.agent.store().applies(100).stream().filter(a -> a.sha().equals(bad)).count()).isEqualTo(2);
        assertThat(s.phase()).isEqualTo(Phase.ROLLED_BACK); // it still crashes: rolled back again
        assertThat(s.appliedRevision()).isEqualTo(v1);
    }

    @Test
    void onFailureHold_keepsTheRevision_andSaysSo() throws Exception {
        String v1 = f.origin.commit("v1", workload("1", GOOD, "gate: {window: 0s}\n"));
        f.start();
        tickUntil(x -> v1.equals(x.appliedRevision()));
        String bad = f.origin.commit("v2", workload("2", CRASH, "gate: {window: 30s, onFailure: hold}\n"));
        AgentStatus s = tickUntil(x -> x.gate() != null && "held".equals(x.gate().state()));

        assertThat(s.appliedRevision()).isEqualTo(bad);
        assertThat(s.phase()).isEqualTo(Phase.DEGRADED); // what its crash-looping service says; the gate says held
        assertThat(s.lastError()).startsWith("GateFailed: " + bad.substring(0, 12) + " failed its health gate: service web")
                .endsWith("held: onFailure: hold");
        assertThat(version()).isEqualTo("2");
        assertThat(events()).contains("GateFailed", "Held").doesNotContain("RolledBack");
    }

    @Test
    void aRollbackTargetThatFailsItsOwnGate_isHeld_neverLooped() throws Exception {
        // v1 passes while a flag file exists; once it is gone, v1's service fails too
        String flaky = "test -f $VOLTIS_ROOT/flag || exit 4; exec sleep 1000";
        java.nio.file.Files.createDirectories(f.root);
        java.nio.file.Files.writeString(f.root.resolve("flag"), "");
        String v1 = f.origin.commit("v1", workload("1", flaky, "gate: {window: 1s}\n"));
        f.start();
        tickUntil(x -> f.agent.store().revision(v1).map(r -> r.gate() == RevisionRecord.Gate.PASSED).orElse(false));
        java.nio.file.Files.delete(f.root.resolve("flag"));

        String bad = f.origin.commit("v2", workload("2", CRASH, "gate: {window: 30s}\n"));
        AgentStatus s = tickUntil(x -> x.gate() != null && "held".equals(x.gate().state()));

        assertThat(s.appliedRevision()).isEqualTo(v1);
        assertThat(s.phase()).isEqualTo(Phase.FAILED);
        assertThat(s.lastError()).startsWith("GateFailed: " + v1.substring(0, 12) + " failed its health gate: service web")
                .contains("exit 4").contains("held: it was restored by a rollback");
        assertThat(events().stream().filter("RolledBack"::equals).count()).isEqualTo(1);
        for (int i = 0; i < 5; i++) {
            s = f.agent.tickNow();
        }
        assertThat(events().stream().filter("RolledBack"::equals).count()).isEqualTo(1);
        assertThat(f.agent.store().revision(bad).orElseThrow().validation()).isEqualTo(RevisionRecord.Validation.INVALID);
    }

    @Test
    void anUnhealthyService_andAFailingOrHangingCheck_failTheGate() throws Exception {
        String v1 = f.origin.commit("v1", workload("1", GOOD, "gate: {window: 0s}\n"));
        f.start();
        tickUntil(x -> v1.equals(x.appliedRevision()));

        Map<String, String> unhealthy = workload("2", null, "gate: {window: 30s}\n");
        unhealthy.put("workloads/app/workload.yaml", unhealthy.get("workloads/app/workload.yaml")
                + "services:\n  - name: web\n    command: [sh, -c, \"exec sleep 1000\"]\n"
                + "    health: {exec: [sh, -c, \"echo 500; exit 1\"], interval: 200ms, failures: 1}\n");
        f.origin.commit("v2", unhealthy);
        AgentStatus s = tickUntil(x -> x.phase() == Phase.ROLLED_BACK);
        assertThat(s.lastError()).contains("service web is unhealthy");
        assertThat(f.agent.apiSources().metrics().get()).contains("voltis_rollbacks_total{reason=\"Unhealthy\"} 1.0");

        f.origin.commit("v3", workload("3", GOOD, "gate:\n  window: 30s\n  checks:\n"
                + "    - {exec: [sh, -c, \"exec sleep 100\"], timeout: 300ms, interval: 200ms, failures: 2}\n"));
        s = tickUntil(x -> x.phase() == Phase.ROLLED_BACK && x.lastError().contains("timed out"));
        assertThat(s.lastError()).contains("check exec").contains("failed 2 times in a row").contains("timed out");
        assertThat(s.appliedRevision()).isEqualTo(v1);
    }

    /** A real HTTP health endpoint on loopback that answers 500: the service runs, the gate fails it as unhealthy. */
    @Test
    void aHealthEndpointAnswering500_failsTheGate() throws Exception {
        com.sun.net.httpserver.HttpServer http = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/health", exchange -> {
            byte[] body = "database down".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(500, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        http.start();
        try {
            String v1 = f.origin.commit("v1", workload("1", GOOD, "gate: {window: 0s}\n"));
            f.start();
            tickUntil(x -> v1.equals(x.appliedRevision()));
            Map<String, String> bad = workload("2", null, "gate: {window: 30s}\n");
            bad.put("workloads/app/workload.yaml", bad.get("workloads/app/workload.yaml")
                    + "services:\n  - name: web\n    command: [sh, -c, \"exec sleep 1000\"]\n"
                    + "    health: {http: \"http://127.0.0.1:" + http.getAddress().getPort() + "/health\", interval: 200ms,"
                    + " failures: 2}\n");
            f.origin.commit("v2", bad);
            AgentStatus s = tickUntil(x -> x.phase() == Phase.ROLLED_BACK);
            assertThat(s.appliedRevision()).isEqualTo(v1);
            assertThat(s.lastError()).contains("service web is unhealthy").contains("HTTP 500");
        } finally {
            http.stop(0);
        }
    }

    /** Healthy at first, then the service dies inside the window (here after 1.5 s of a 6 s window). */
    @Test
    void aServiceThatDiesInsideTheWindow_failsTheGateWhenItDies() throws Exception {
        String v1 = f.origin.commit("v1", workload("1", GOOD, "gate: {window: 0s}\n"));
        f.start();
        tickUntil(x -> v1.equals(x.appliedRevision()));
        String late = f.origin.commit("v2", workload("2", "sleep 1.5; echo 'out of memory' >&2; exit 137", "gate: {window: 6s}\n"));
        AgentStatus s = tickUntil(x -> late.equals(x.appliedRevision()) && x.gate() != null);
        assertThat(s.gate().state()).isEqualTo("running");
        long applied = System.nanoTime();
        s = tickUntil(x -> x.phase() == Phase.ROLLED_BACK);
        double seconds = (System.nanoTime() - applied) / 1e9;
        assertThat(s.appliedRevision()).isEqualTo(v1);
        assertThat(s.lastError()).contains("exit 137").contains("out of memory");
        assertThat(seconds).as("failed when the service died, not at the end of the window").isLessThan(5.5);
    }

    /** A check whose ${var} renders into no URL can never pass: the gate fails, it is not skipped. */
    @Test
    void aCheckThatRendersIntoNoUrl_failsTheGate_neverPassesIt() throws Exception {
        String v1 = f.origin.commit("v1", workload("1", GOOD, "gate: {window: 0s}\n"));
        f.start();
        tickUntil(x -> v1.equals(x.appliedRevision()));
        Map<String, String> bad = workload("2", GOOD, "gate:\n  window: 30s\n  checks:\n"
                + "    - {http: \"http://${where}/ready\", interval: 200ms, failures: 1}\n");
        bad.put("devices/dev1.yaml", "workload: app\nvars: {where: \"not a host\"}\n");
        f.origin.commit("v2", bad);
        AgentStatus s = tickUntil(x -> x.phase() == Phase.ROLLED_BACK);
        assertThat(s.phase()).isEqualTo(Phase.ROLLED_BACK);
        assertThat(s.lastError()).contains("cannot be probed");
        assertThat(s.appliedRevision()).isEqualTo(v1);
    }

    @Test
    void aWorkloadWithNoServices_isGatedByItsChecksAlone() throws Exception {
        String v1 = f.origin.commit("v1", workload("1", null, "gate:\n  window: 1s\n  checks:\n"
                + "    - {exec: [sh, -c, \"test -f etc/version || test -f $VOLTIS_ROOT/etc/version\"], interval: 200ms}\n"));
        f.start();
        AgentStatus s = tickUntil(x -> f.agent.store().revision(v1).map(r -> r.gate() != null).orElse(false));
        assertThat(f.agent.store().revision(v1).orElseThrow().gate()).isEqualTo(RevisionRecord.Gate.PASSED);

        String bad = f.origin.commit("v2", workload("2", null, "gate:\n  window: 30s\n  checks:\n"
                + "    - {exec: [sh, -c, \"exit 1\"], interval: 200ms, failures: 2}\n"));
        s = tickUntil(x -> x.phase() == Phase.ROLLED_BACK);
        assertThat(s.appliedRevision()).isEqualTo(v1);
        assertThat(s.gate().quarantined()).isEqualTo(bad);
        assertThat(s.lastError()).contains("check exec").contains("exited with code 1");
    }

    @Test
    void anAgentThatStopsThreeTimesInsideTheWindow_rollsBackAtTheNextStart() throws Exception {
        String v1 = f.origin.commit("v1", workload("1", GOOD, "gate: {window: 0s}\n"));
        f.start();
        tickUntil(x -> v1.equals(x.appliedRevision()));
        String slow = f.origin.commit("v2", workload("2", GOOD, "gate: {window: 1h, attempts: 3}\n"));
        AgentStatus s = tickUntil(x -> slow.equals(x.appliedRevision()));
        assertThat(s.gate().state()).isEqualTo("running");

        for (int start = 2; start <= 3; start++) {
            f.agent.close();
            f.start();
            s = f.agent.tickNow();
            assertThat(s.appliedRevision()).as("start %d", start).isEqualTo(slow);
            assertThat(f.agent.store().probation().orElseThrow().attempts()).isEqualTo(start);
        }
        f.agent.close();
        f.start(); // the fourth run: three agent runs died inside the window
        s = f.agent.tickNow();
        s = f.agent.tickNow();
        assertThat(s.phase()).isEqualTo(Phase.ROLLED_BACK);
        assertThat(s.appliedRevision()).isEqualTo(v1);
        assertThat(s.lastError()).contains("the agent stopped 3 times inside the window");
        assertThat(f.agent.apiSources().metrics().get()).contains("voltis_rollbacks_total{reason=\"AgentStopped\"} 1.0");
    }

    /** The Git server gone between the bad push and its rollback: the rollback needs no network. */
    @Test
    void gitUnreachableDuringTheRollback_theVerifiedRevisionIsRestoredOffline() throws Exception {
        String v1 = f.origin.commit("v1", workload("1", GOOD, "gate: {window: 1s}\n"));
        f.start();
        tickUntil(x -> f.agent.store().revision(v1).map(r -> r.gate() == RevisionRecord.Gate.PASSED).orElse(false));
        String bad = f.origin.commit("v2", workload("2", CRASH, "gate: {window: 30s}\n"));
        assertThat(f.agent.pollNow()).isTrue();
        java.nio.file.Path away = tmp.resolve("origin-away");
        java.nio.file.Files.move(f.origin.dir(), away); // the server is gone from now on

        AgentStatus s = f.agent.tickNow();
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (s.phase() != Phase.ROLLED_BACK && System.nanoTime() < deadline) {
            Thread.sleep(100);
            s = f.agent.tickNow();
        }
        assertThat(s.phase()).isEqualTo(Phase.ROLLED_BACK);
        assertThat(s.appliedRevision()).isEqualTo(v1);
        assertThat(s.gate().quarantined()).isEqualTo(bad);
        assertThat(version()).isEqualTo("1");
        assertThat(f.pid("web")).isPresent();
        java.nio.file.Files.move(away, f.origin.dir());
    }

    @Test
    void runOnce_runsNoGate() throws Exception {
        f.once = true;
        String v1 = f.origin.commit("v1", workload("1", CRASH, "gate: {window: 30s}\n"));
        f.start();
        AgentStatus s = tickUntil(x -> v1.equals(x.appliedRevision()));
        assertThat(s.gate()).isNull();
        assertThat(f.agent.store().probation()).isEmpty();
        assertThat(events()).doesNotContain("GateStarted");
    }

    @Test
    void aCliPinThatFailsItsGate_isHeld() throws Exception {
        String v1 = f.origin.commit("v1", workload("1", GOOD, "gate: {window: 0s}\n"));
        f.start();
        tickUntil(x -> v1.equals(x.appliedRevision()));
        String bad = f.origin.commit("v2", workload("2", CRASH, "gate: {window: 30s}\n"));
        f.origin.commit("v3", workload("3", GOOD, "gate: {window: 0s}\n"));
        tickUntil(x -> x.phase() == Phase.SYNCED && !v1.equals(x.appliedRevision()));
        f.agent.store().setPin(bad);

        AgentStatus s = tickUntil(x -> x.gate() != null && "held".equals(x.gate().state()));
        assertThat(s.appliedRevision()).isEqualTo(bad);
        assertThat(s.lastError()).endsWith("held: a cli pin is an explicit order: unpin or pin another revision");
        assertThat(Duration.ZERO).isZero();
    }
}
