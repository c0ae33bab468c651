package io.voltis.agent.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.voltis.agent.Agent;
import io.voltis.agent.config.AgentConfig;
import io.voltis.sync.testing.TestRepo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/** The daemon (scheduler on, not --once) serves its API on --listen from the start. */
class DaemonApiTest {

    @TempDir
    Path tmp;

    @Test
    void runningDaemon_servesStatus_andReportsAPushWithoutBeingAsked() throws Exception {
        try (TestRepo origin = TestRepo.create(tmp.resolve("origin.git"))) {
            origin.commit("v1", ApiServerTest.workload("hello"));
            AgentConfig config = new AgentConfig(origin.fileUrl(), "main", "", "dev1", Duration.ofSeconds(1),
                    Duration.ofSeconds(1), tmp.resolve("state"), tmp.resolve("root"), AgentConfig.Runtime.PROCESS,
                    "127.0.0.1:0", null, false, null, null, null, null, 2, 10, Duration.ofSeconds(2));
            try (Agent agent = Agent.start(config, Map.of("PATH", System.getenv("PATH")))) {
                assertThat(agent.apiPort()).isPositive();
                Http http = new Http(agent.apiPort());
                JsonMapper json = JsonMapper.builder().build();
                await().atMost(Duration.ofSeconds(30)).until(() ->
                        json.readTree(http.get("/api/v1/status").body()).get("phase").asString().equals("Synced"));

                String v2 = origin.commit("v2", ApiServerTest.workload("bye"));

                await().atMost(Duration.ofSeconds(30)).until(() ->
                        v2.equals(json.readTree(http.get("/api/v1/status").body()).get("appliedRevision").asString()));
                assertThat(http.get("/readyz").statusCode()).isEqualTo(200);
                assertThat(http.get("/metrics").body()).contains("voltis_applied_revision_info{revision=\"" + v2 + "\"");
            }
        }
    }
}
