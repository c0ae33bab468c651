package io.voltis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.voltis.agent.Agent;
import io.voltis.agent.config.AgentConfig;
import io.voltis.agent.packages.system.SystemPackages;
import io.voltis.agent.reconcile.Phase;
import io.voltis.sync.testing.MutableClock;
import io.voltis.sync.testing.TestRepo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The desired revision {@code voltis-agent status} shows is the daemon's rule whether the
 * daemon runs or not: a device file's {@code revision:} at the head pins the device (the
 * store-only answer once showed the head). A real daemon in this JVM, a real Git repo.
 */
class StatusDesiredCommandTest {

    @TempDir
    Path tmp;

    TestRepo origin;
    Agent agent;
    Path state;
    Path config;
    String v1;
    String v2;
    String head;

    @BeforeEach
    void start() throws Exception {
        origin = TestRepo.create(tmp.resolve("origin.git"));
        v1 = origin.commit("v1", Map.of("devices/dev1.yaml", "workload: app\n",
                "workloads/app/workload.yaml", "apiVersion: voltis/v1\nfiles:\n  - {source: a.txt, target: /etc/a.txt}\n",
                "workloads/app/a.txt", "one\n"));
        state = tmp.resolve("state");
        config = Files.writeString(tmp.resolve("agent.yaml"), "");
        agent = Agent.start(new AgentConfig(origin.fileUrl(), "main", "", "dev1", Duration.ofMinutes(30),
                        Duration.ofMinutes(30), state, tmp.resolve("root"), AgentConfig.Runtime.PROCESS, "127.0.0.1:0", null,
                        false, null, null, null, null, 2, 10, Duration.ofSeconds(2)),
                Map.of("PATH", System.getenv("PATH"), "HOME", System.getProperty("user.home")),
                new Agent.Machine(new MutableClock(java.time.Instant.parse("2026-11-22T10:00:00Z")),
                        SystemPackages.onDevice()));
        agent.pollNow();
        assertThat(agent.tickNow().phase()).isEqualTo(Phase.SYNCED);
        v2 = origin.commit("v2", Map.of("workloads/app/a.txt", "two\n"));
        agent.pollNow();
        assertThat(agent.tickNow().appliedRevision()).isEqualTo(v2);
        head = origin.commit("v3 holds dev1 at v1", Map.of("devices/dev1.yaml", "workload: app\nrevision: " + v1 + "\n"));
        agent.pollNow();
        assertThat(agent.tickNow().appliedRevision()).isEqualTo(v1);
        assertThat(Files.readString(tmp.resolve("root/etc/a.txt"))).isEqualTo("one\n");
    }

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
        origin.close();
    }

    JsonNode status() {
        Cli r = Cli.run("status", "-o", "json", "--config", config.toString(), "--state-dir", state.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        return JsonMapper.builder().build().readTree(r.out());
    }

    @Test
    void daemonStopped_deviceFileRevisionIsTheDesiredRevision_asTheDaemonSaid() {
        JsonNode running = status();
        assertThat(running.path("desiredRevision").asString()).isEqualTo(v1);
        assertThat(running.path("pin").path("source").asString()).isEqualTo("repo");

        agent.close();
        agent = null;
        JsonNode stopped = status();
        Cli table = Cli.run("status", "--config", config.toString(), "--state-dir", state.toString());

        assertThat(stopped.path("daemon").asString()).isEqualTo("not running");
        assertThat(stopped.path("desiredRevision").asString()).as("not the head " + head).isEqualTo(v1);
        assertThat(stopped.path("appliedRevision").asString()).isEqualTo(v1);
        assertThat(stopped.path("source").path("headRevision").asString()).isEqualTo(head);
        assertThat(stopped.path("pin").path("source").asString()).isEqualTo("repo");
        assertThat(stopped.path("pin").path("revision").asString()).isEqualTo(v1);
        assertThat(table.outLines()).contains("desired    " + v1.substring(0, 12))
                .anyMatch(l -> l.equals("pin        " + v1.substring(0, 12) + " (repo) from the device file"));
    }

    @Test
    void daemonStopped_cliPinStillWinsOverTheDeviceFile() {
        agent.close();
        agent = null;
        Cli pin = Cli.run("pin", v2, "--config", config.toString(), "--state-dir", state.toString());
        assertThat(pin.exitCode()).as(pin.err()).isZero();

        JsonNode stopped = status();

        assertThat(stopped.path("desiredRevision").asString()).isEqualTo(v2);
        assertThat(stopped.path("pin").path("source").asString()).isEqualTo("cli");
        assertThat(List.of(stopped.path("summary").asString())).allMatch(s -> s.contains("pinned to " + v2.substring(0, 12) + " (cli)"));
    }
}
