package io.voltis.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.voltis.agent.Agent;
import io.voltis.agent.config.AgentConfig;
import io.voltis.agent.reconcile.Phase;
import io.voltis.sync.testing.TestRepo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * `status` says why a service is down: its exit code and message in the table, and its last log
 * lines under it (and in the API's {@code lastLogLines}), against a daemon in this JVM running
 * real child processes with the process runtime.
 */
class StatusServicesCommandTest {

    @TempDir
    Path tmp;

    private Agent agent;

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
    }

    @Test
    void serviceThatExited_tableShowsItsExitCodeMessageAndLastLogLines_healthyOneShowsNone() throws Exception {
        TestRepo origin = TestRepo.create(tmp.resolve("origin.git"));
        origin.commit("two services", Map.of("devices/dev1.yaml", "workload: app\n",
                "workloads/app/workload.yaml", "apiVersion: voltis/v1\nservices:\n"
                        + "  - {name: broken, command: [sh, -c, \"echo 'loading config'; echo 'error: port 80 is taken' >&2;"
                        + " exit 3\"], restart: never}\n"
                        + "  - {name: steady, command: [sh, -c, \"echo up; exec sleep 1000\"]}\n"));
        Path state = tmp.resolve("state");
        agent = Agent.start(new AgentConfig(origin.fileUrl(), "main", "", "dev1", Duration.ofMinutes(30),
                        Duration.ofMinutes(30), state, tmp.resolve("root"), AgentConfig.Runtime.PROCESS, "127.0.0.1:0", null,
                        false, null, null, null, null, 2, 10, Duration.ofSeconds(2)),
                Map.of("PATH", System.getenv("PATH")));
        agent.pollNow();
        await().atMost(Duration.ofSeconds(30)).until(() -> agent.tickNow().phase() == Phase.DEGRADED
                && agent.tickNow().services().stream().anyMatch(s -> s.name().equals("broken") && s.lastExitCode() != null));
        Path config = Files.writeString(tmp.resolve("agent.yaml"), "");

        Cli table = Cli.run("status", "--config", config.toString(), "--state-dir", state.toString());
        Cli json = Cli.run("status", "--config", config.toString(), "--state-dir", state.toString(), "-o", "json");

        assertThat(table.exitCode()).as(table.err()).isZero();
        List<String> lines = table.outLines();
        assertThat(lines).anyMatch(l -> l.startsWith("SERVICE ") && l.contains(" EXIT ") && l.endsWith(" MESSAGE"));
        assertThat(lines).anyMatch(l -> l.matches("broken +running +failed +- +0 +\\S+ +3 +exited with code 3; not restarted \\(restart: never\\)"));
        int tail = lines.indexOf("last log lines of broken:");
        assertThat(tail).isPositive();
        assertThat(lines.subList(tail + 1, tail + 3)).containsExactly("  loading config", "  error: port 80 is taken");
        assertThat(lines).doesNotContain("last log lines of steady:");

        JsonNode services = JsonMapper.builder().build().readTree(json.out()).path("services");
        for (JsonNode s : services) {
            if (s.path("name").asString().equals("broken")) {
                assertThat(s.path("lastExitCode").asInt()).isEqualTo(3);
                assertThat(s.path("lastLogLines").toString()).isEqualTo("[\"loading config\",\"error: port 80 is taken\"]");
            } else {
                assertThat(s.path("lastLogLines").toString()).isEqualTo("[]");
            }
        }
        assertThat(services.size()).isEqualTo(2);
    }
}
