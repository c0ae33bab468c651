package io.voltis.agent.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import io.voltis.agent.Agent;
import io.voltis.agent.packages.system.SystemPackages;
import io.voltis.model.RolloutBucket;
import io.voltis.sync.store.Event;
import io.voltis.sync.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Staged rollout on one real agent (real repo, H2 store, files on disk), its clock a test clock:
 * a device waits for its wave and moves when it starts; labels, percents by its own bucket, a
 * pause, a plan that stops short of it, a commit that only changes the plan (the clock goes on),
 * pins and the device file's revision: overriding the plan, and a clock behind or ahead.
 * The commits' times are the real time; the device's clock is set around it.
 */
class RolloutTest {

    @TempDir
    Path tmp;

    AgentFixture f;
    MutableClock clock;
    Path machineId;
    final Instant now = Instant.now();

    @BeforeEach
    void setUp() throws Exception {
        f = new AgentFixture(tmp);
        clock = new MutableClock(now);
        machineId = Files.writeString(tmp.resolve("machine-id"), "0123456789abcdef0123456789abcdef\n");
        f.machine = new Agent.Machine(clock, SystemPackages.onDevice(), machineId);
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    static Map<String, String> release(String version, String labels, String rollout) {
        Map<String, String> files = new HashMap<>();
        files.put("devices/dev1.yaml", "workload: app\n" + (labels == null ? "" : "labels: " + labels + "\n"));
        files.put("workloads/app/files/version", version + "\n");
        files.put("workloads/app/workload.yaml", "apiVersion: voltis/v1\n"
                + "files:\n  - {source: files/version, target: etc/version}\n"
                + "gate: {window: 0s}\n" + (rollout == null ? "" : rollout));
        return files;
    }

    static final String WAVES_1H = "rollout:\n  waves:\n    - {name: canary, labels: {ring: canary}}\n"
            + "    - {name: all, percent: 100, after: 1h}\n";

    String version() throws Exception {
        return f.file("etc/version").strip();
    }

    AgentStatus tick() {
        f.agent.pollNow();
        return f.agent.tickNow();
    }

    /** v1 without a plan, applied; the agent started. */
    String startOnV1(String labels) throws Exception {
        String v1 = f.origin.commit("v1", release("1", labels, null));
        f.start();
        assertThat(f.converge().appliedRevision()).isEqualTo(v1);
        return v1;
    }

    @Test
    void aDeviceWaitsForItsWave_saysUntilWhen_andMovesWhenItStarts() throws Exception {
        String v1 = startOnV1(null);
        String v2 = f.origin.commit("v2", release("2", null, WAVES_1H));

        AgentStatus s = tick();

        assertThat(version()).isEqualTo("1");
        assertThat(s.appliedRevision()).isEqualTo(v1);
        assertThat(s.desiredRevision()).isEqualTo(v1);
        assertThat(s.phase()).isEqualTo(Phase.SYNCED);
        assertThat(s.rollout().state()).isEqualTo("waiting");
        assertThat(s.rollout().wave()).isEqualTo("all");
        assertThat(s.rollout().release()).isEqualTo(v2);
        Instant eligible = s.rollout().eligibleAt();
        assertThat(eligible).isBetween(now.plus(Duration.ofMinutes(59)), now.plus(Duration.ofMinutes(61)));
        assertThat(s.rollout().waiting()).isEqualTo("waiting: wave all (100%, after 1h) of release " + v2.substring(0, 12)
                + " eligible at " + eligible.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        assertThat(f.agent.store().events(20)).extracting(Event::type).containsOnlyOnce("RolloutWaiting");

        clock.advance(Duration.ofMinutes(30));
        assertThat(tick().appliedRevision()).isEqualTo(v1);

        clock.set(eligible);
        s = tick();
        assertThat(s.appliedRevision()).isEqualTo(v2);
        assertThat(version()).isEqualTo("2");
        assertThat(s.rollout().state()).isEqualTo("current");
        assertThat(s.rollout().waiting()).isNull();
        assertThat(f.agent.store().events(20)).extracting(Event::type).containsOnlyOnce("RolloutWaiting");
    }

    /** A repo-wide rollout.yaml is the plan of a workload without its own; pausing it is a commit of that file alone. */
    @Test
    void aRepoWidePlan_holdsTheDevice_andPausingItKeepsTheRelease() throws Exception {
        String v1 = startOnV1(null);
        Map<String, String> v2 = release("2", null, null);
        v2.put("rollout.yaml", "waves:\n  - {name: all, percent: 100, after: 1h}\n");
        String sha2 = f.origin.commit("v2", v2);

        AgentStatus s = tick();
        assertThat(s.appliedRevision()).isEqualTo(v1);
        assertThat(s.rollout().state()).isEqualTo("waiting");
        assertThat(s.rollout().release()).isEqualTo(sha2);

        f.origin.commit("pause the fleet", Map.of("rollout.yaml", "pause: true\nwaves:\n  - {name: all, percent: 100, after: 1h}\n"));
        clock.advance(Duration.ofHours(2));
        s = tick();
        assertThat(s.appliedRevision()).isEqualTo(v1);
        assertThat(s.rollout().state()).isEqualTo("paused");

        f.origin.commit("broken plan", Map.of("rollout.yaml", "waves: [{name: all, percent: 0}]\n"));
        s = tick();
        assertThat(s.appliedRevision()).as("a plan it cannot read moves nothing").isEqualTo(v1);
        assertThat(s.phase()).isEqualTo(Phase.FAILED);
        assertThat(s.lastError()).contains("rollout.yaml:1:").contains("waves[0].percent: 0 is not from 1 to 100");
    }

    @Test
    void aCanary_movesAtOnce() throws Exception {
        startOnV1("{ring: canary}");
        String v2 = f.origin.commit("v2", release("2", "{ring: canary}", WAVES_1H));

        AgentStatus s = tick();

        assertThat(s.appliedRevision()).isEqualTo(v2);
        assertThat(s.rollout().wave()).isEqualTo("canary");
        assertThat(s.rollout().state()).isEqualTo("current");
    }

    /** The device's bucket is SHA-256 of its machine id, hostname and the release: the wave status shows is that one. */
    @Test
    void aPercentWave_takesTheDeviceByItsBucketForThisRelease() throws Exception {
        startOnV1(null);
        String id = "0123456789abcdef0123456789abcdef/dev1";
        // a first wave that takes exactly up to this device's bucket leaves it out; one past it takes it
        String probe = f.origin.commit("probe", release("2", null, "rollout: {waves: [{name: all, percent: 100, after: 1h}]}\n"));
        double bucket = RolloutBucket.of(id, probe);
        int below = (int) Math.floor(bucket);
        String plan = "rollout:\n  waves:\n" + (below >= 1 ? "    - {name: before, percent: " + below + "}\n" : "")
                + "    - {name: mine, percent: " + (below + 1) + ", after: 10m}\n"
                + (below + 1 < 100 ? "    - {name: rest, percent: 100, after: 1h}\n" : "");
        String v3 = f.origin.commit("plan", release("2", null, plan)); // the same release: only the plan changed

        AgentStatus s = tick();

        assertThat(s.rollout().release()).isEqualTo(probe);
        assertThat(s.rollout().wave()).isEqualTo("mine");
        assertThat(s.rollout().state()).isEqualTo("waiting");
        clock.advance(Duration.ofMinutes(11));
        assertThat(tick().appliedRevision()).isEqualTo(v3);
    }

    @Test
    void aPause_keepsTheDevice_andACommitThatEndsIt_keepsTheReleasesClock() throws Exception {
        String v1 = startOnV1(null);
        String v2 = f.origin.commit("v2", release("2", null, "rollout:\n  pause: true\n  waves:\n"
                + "    - {name: all, percent: 100, after: 1h}\n"));

        AgentStatus s = tick();
        assertThat(s.appliedRevision()).isEqualTo(v1);
        assertThat(s.rollout().state()).isEqualTo("paused");
        assertThat(s.rollout().waiting()).startsWith("paused by the rollout plan of app: keeps " + v1.substring(0, 12));

        clock.advance(Duration.ofHours(2));
        assertThat(tick().appliedRevision()).as("paused: the clock alone moves nothing").isEqualTo(v1);

        String v3 = f.origin.commit("resume", release("2", null, WAVES_1H));
        s = tick();
        // v3 changes only the plan: its release is v2, first seen 2 h ago, so its hour is over
        assertThat(s.appliedRevision()).isEqualTo(v3);
        assertThat(s.rollout().release()).isEqualTo(v2);
        assertThat(version()).isEqualTo("2");
    }

    @Test
    void shorteningAWave_isACommit_thatKeepsTheClock() throws Exception {
        startOnV1(null);
        String v2 = f.origin.commit("v2", release("2", null, "rollout: {waves: [{name: all, percent: 100, after: 2h}]}\n"));
        assertThat(tick().rollout().state()).isEqualTo("waiting");
        clock.advance(Duration.ofMinutes(40));

        String v3 = f.origin.commit("faster", release("2", null, "rollout: {waves: [{name: all, percent: 100, after: 30m}]}\n"));
        AgentStatus s = tick();

        assertThat(s.appliedRevision()).isEqualTo(v3);
        assertThat(s.rollout().release()).isEqualTo(v2);
    }

    @Test
    void aNewReleaseMidRollout_startsItsOwnClock() throws Exception {
        String v1 = startOnV1(null);
        f.origin.commit("v2", release("2", null, "rollout: {waves: [{name: all, percent: 100, after: 1h}]}\n"));
        tick();
        clock.advance(Duration.ofMinutes(50));
        String v3 = f.origin.commit("v3", release("3", null, "rollout: {waves: [{name: all, percent: 100, after: 1h}]}\n"));

        AgentStatus s = tick();
        clock.advance(Duration.ofMinutes(20)); // v2's hour is over, v3's is not
        s = tick();

        assertThat(s.appliedRevision()).isEqualTo(v1);
        assertThat(s.rollout().release()).isEqualTo(v3);
        assertThat(s.rollout().state()).isEqualTo("waiting");
    }

    @Test
    void aPlanThatStopsShortOfTheDevice_keepsIt() throws Exception {
        String v1 = startOnV1(null);
        f.origin.commit("v2", release("2", null, "rollout: {waves: [{name: canary, labels: {ring: canary}}]}\n"));

        clock.advance(Duration.ofDays(40));
        AgentStatus s = tick();

        assertThat(s.appliedRevision()).isEqualTo(v1);
        assertThat(s.rollout().state()).isEqualTo("outside");
        assertThat(s.rollout().wave()).isNull();
        assertThat(s.rollout().waiting()).contains("no wave of the rollout plan of app selects this device");
    }

    @Test
    void aCliPin_overridesTheWave_andUnpinGoesBackToThePlan() throws Exception {
        String v1 = startOnV1(null);
        String v2 = f.origin.commit("v2", release("2", null, WAVES_1H));
        assertThat(tick().rollout().state()).isEqualTo("waiting");

        f.agent.store().setPin(v2);
        AgentStatus s = tick();
        assertThat(s.appliedRevision()).isEqualTo(v2);
        assertThat(s.rollout()).isNull();

        f.agent.store().setPin(v1);
        assertThat(tick().appliedRevision()).isEqualTo(v1);
        f.agent.store().clearPin();
        s = tick();
        assertThat(s.appliedRevision()).as("unpinned: the plan decides again").isEqualTo(v1);
        assertThat(s.rollout().state()).isEqualTo("waiting");
    }

    @Test
    void theDeviceFilesRevision_overridesThePlan() throws Exception {
        startOnV1(null);
        String v2 = f.origin.commit("v2", release("2", null, WAVES_1H));
        Map<String, String> pinned = release("2", null, WAVES_1H);
        pinned.put("devices/dev1.yaml", "workload: app\nrevision: " + v2 + "\n");
        f.origin.commit("pin dev1", pinned);

        AgentStatus s = tick();

        assertThat(s.appliedRevision()).isEqualTo(v2);
        assertThat(s.rollout()).isNull();
    }

    /** A device whose clock is a day behind starts the release's clock at its commit time: it does not move early. */
    @Test
    void aClockBehind_doesNotMoveEarly() throws Exception {
        clock.set(now.minus(Duration.ofDays(1)));
        String v1 = startOnV1(null);
        f.origin.commitTimesFrom(now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        f.origin.commit("v2", release("2", null, WAVES_1H));

        AgentStatus s = tick();
        assertThat(s.rollout().startedAt()).isEqualTo(now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        clock.advance(Duration.ofHours(2)); // two hours on the device's clock: still before the commit time + 1 h
        assertThat(tick().appliedRevision()).isEqualTo(v1);

        clock.set(now.plus(Duration.ofMinutes(61)));
        assertThat(tick().appliedRevision()).isNotEqualTo(v1);
    }

    /** A device whose clock is a day ahead starts the clock when it saw the release: it still waits its whole hour. */
    @Test
    void aClockAhead_stillWaitsItsWholeWave() throws Exception {
        clock.set(now.plus(Duration.ofDays(1)));
        String v1 = startOnV1(null);
        f.origin.commit("v2", release("2", null, WAVES_1H));

        AgentStatus s = tick();
        assertThat(s.rollout().startedAt()).isEqualTo(now.plus(Duration.ofDays(1)));
        clock.advance(Duration.ofMinutes(59));
        assertThat(tick().appliedRevision()).isEqualTo(v1);
        clock.advance(Duration.ofMinutes(2));
        assertThat(tick().appliedRevision()).isNotEqualTo(v1);
    }

    @Test
    void aNewDevice_appliesAtOnce_unlessPaused() throws Exception {
        String v1 = f.origin.commit("v1", release("1", null, WAVES_1H));
        f.start();
        AgentStatus s = f.converge();
        assertThat(s.appliedRevision()).isEqualTo(v1);
        assertThat(s.rollout().state()).isEqualTo("current");
    }

    @Test
    void aNewDevice_whileThePlanIsPaused_appliesNothing() throws Exception {
        f.origin.commit("v1", release("1", null, "rollout: {pause: true}\n"));
        f.start();

        AgentStatus s = tick();

        assertThat(s.appliedRevision()).isNull();
        assertThat(Files.exists(f.root.resolve("etc/version"))).isFalse();
        assertThat(s.phase()).isEqualTo(Phase.PROGRESSING);
        assertThat(s.rollout().state()).isEqualTo("paused");
        assertThat(s.rollout().waiting()).contains("nothing is applied yet");
    }

    /** A restart keeps the wave's clock: it started when the device first saw the release, recorded in the store. */
    @Test
    void aRestart_keepsTheClock() throws Exception {
        String v1 = startOnV1(null);
        String v2 = f.origin.commit("v2", release("2", null, WAVES_1H));
        Instant eligible = tick().rollout().eligibleAt();
        f.agent.close();
        clock.advance(Duration.ofMinutes(45));

        f.start();
        AgentStatus s = tick();
        assertThat(s.appliedRevision()).isEqualTo(v1);
        assertThat(s.rollout().eligibleAt()).isEqualTo(eligible);
        clock.advance(Duration.ofMinutes(16));
        assertThat(tick().appliedRevision()).isEqualTo(v2);
    }
}
