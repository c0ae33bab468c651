package io.voltis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.voltis.agent.Agent;
import io.voltis.agent.config.AgentConfig;
import io.voltis.agent.reconcile.AgentStatus;
import io.voltis.agent.reconcile.Phase;
import io.voltis.sync.testing.TestRepo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A rollout plan as an operator meets it in the CLI: {@code plan} says when the device would
 * apply the head, {@code validate} counts the repo's devices per wave and refuses a bad plan with
 * its file and line.
 */
class RolloutCommandTest {

    @TempDir
    Path tmp;

    static Map<String, String> release(String version, String rollout) {
        Map<String, String> files = new HashMap<>();
        files.put("devices/dev1.yaml", "workload: app\n");
        files.put("workloads/app/files/version", version + "\n");
        files.put("workloads/app/workload.yaml", "apiVersion: voltis/v1\nfiles:\n  - {source: files/version, target: etc/version}\n"
                + (rollout == null ? "" : rollout));
        return files;
    }

    @Test
    void plan_saysWhenTheDeviceWouldApplyTheHead() throws Exception {
        Path state = tmp.resolve("state");
        Path root = tmp.resolve("root");
        Path config = Files.writeString(tmp.resolve("agent.yaml"), "");
        try (TestRepo origin = TestRepo.create(tmp.resolve("origin.git"))) {
            String v1 = origin.commit("v1", release("1", null));
            Agent agent = Agent.start(new AgentConfig(origin.fileUrl(), "main", "", "dev1", Duration.ofSeconds(30),
                    Duration.ofSeconds(5), state, root, AgentConfig.Runtime.PROCESS, "127.0.0.1:0", null, true, null, null, null,
                    null, 2, 10, Duration.ofSeconds(2)), Map.of("PATH", System.getenv("PATH"), "HOME", System.getProperty("user.home")));
            try {
                assertThat(agent.runOnce(Duration.ofSeconds(30)).phase()).isEqualTo(Phase.SYNCED);
                String v2 = origin.commit("v2", release("2", "rollout: {waves: [{name: all, percent: 100, after: 2h}]}\n"));
                agent.pollNow();
                AgentStatus s = agent.tickNow();
                assertThat(s.appliedRevision()).isEqualTo(v1);
                assertThat(s.rollout().state()).isEqualTo("waiting");

                Cli plan = Cli.run("plan", "--config", config.toString(), "--state-dir", state.toString(), "--root",
                        root.toString(), "--hostname", "dev1");

                assertThat(plan.exitCode()).as(plan.err()).isZero();
                assertThat(plan.out()).contains("rollout: waiting: wave all (100%, after 2h) of release " + v2.substring(0, 12)
                        + " eligible at " + s.rollout().eligibleAt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                        + "; the agent applies it then");

                origin.commit("paused", release("2", "rollout: {pause: true, waves: [{name: all, percent: 100, after: 2h}]}\n"));
                agent.pollNow();
                plan = Cli.run("plan", "--config", config.toString(), "--state-dir", state.toString(), "--root",
                        root.toString(), "--hostname", "dev1");
                assertThat(plan.out()).contains("rollout: paused by the rollout plan of app: keeps " + v1.substring(0, 12));
            } finally {
                agent.close();
            }
        }
    }

    @Test
    void validate_countsTheDevicesInEachWave() throws Exception {
        Path repo = tmp.resolve("repo");
        Files.createDirectories(repo.resolve("devices"));
        Files.createDirectories(repo.resolve("workloads/app/files"));
        Files.writeString(repo.resolve("workloads/app/files/version"), "1\n");
        Files.writeString(repo.resolve("workloads/app/workload.yaml"), "apiVersion: voltis/v1\nfiles:\n"
                + "  - {source: files/version, target: etc/version}\nrollout:\n  waves:\n"
                + "    - {name: canary, labels: {ring: canary}}\n    - {name: early, percent: 10, after: 2h}\n"
                + "    - {name: all, percent: 100, after: 1d}\n");
        for (int i = 0; i < 100; i++) {
            Files.writeString(repo.resolve(String.format("devices/d%03d.yaml", i)), "workload: app\nlabels: {ring: "
                    + (i < 10 ? "canary" : "stable") + "}\n");
        }
        Files.writeString(repo.resolve("devices/pinned.yaml"), "workload: app\nrevision: v1\n");
        Files.writeString(repo.resolve("devices/_default.yaml"), "workload: app\n");

        Cli table = Cli.run("validate", repo.toString());
        Cli json = Cli.run("validate", repo.toString(), "-o", "json");

        assertThat(table.exitCode()).as(table.err()).isZero();
        assertThat(table.out()).contains("rollout of app (workloads/app/workload.yaml): 101 devices")
                .containsPattern("canary +ring=canary, at once +10\\n")
                .containsPattern("early +10%, after 2h +~9\\n")
                .containsPattern("all +100%, after 1d +~81\\n")
                .containsPattern("\\(no wave\\) +keeps what it runs +0\\n")
                .containsPattern("\\(pinned\\) +revision: in the device file +1\\n");
        JsonNode rollout = JsonMapper.builder().build().readTree(json.out()).path("rollouts").get(0);
        assertThat(rollout.path("devices").asInt()).isEqualTo(101);
        assertThat(rollout.path("waves").get(0).path("devices").asDouble()).isEqualTo(10.0);
        assertThat(rollout.path("waves").get(0).path("exact").asBoolean()).isTrue();
        assertThat(rollout.path("waves").get(1).path("devices").asDouble()).isEqualTo(9.0);
        assertThat(rollout.path("waves").get(1).path("exact").asBoolean()).isFalse();
    }

    @Test
    void validate_refusesABadPlanWithItsPlace() throws Exception {
        Path repo = tmp.resolve("repo");
        Files.createDirectories(repo.resolve("devices"));
        Files.createDirectories(repo.resolve("workloads/app"));
        Files.writeString(repo.resolve("devices/dev1.yaml"), "workload: app\n");
        Files.writeString(repo.resolve("workloads/app/workload.yaml"), "apiVersion: voltis/v1\nrollout:\n  waves:\n"
                + "    - {name: all, percent: 100}\n    - {name: late, precent: 10, after: 1h}\n");

        Cli out = Cli.run("validate", repo.toString());

        assertThat(out.exitCode()).isEqualTo(1);
        assertThat(out.out().lines().toList()).contains(
                "workloads/app/workload.yaml:5:20: rollout.waves[1].precent: unknown key (did you mean 'percent'?)",
                "workloads/app/workload.yaml:5:7: rollout.waves[1]: a wave selects devices by labels, percent or both");
        assertThat(List.of(out.out().split("\n"))).last().asString().startsWith("2 problems in 1 device");
        assertThat(out.out()).as("a plan with problems is not counted").doesNotContain("rollout of app");
    }
}
