package io.voltis.agent.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.voltis.agent.Agent;
import io.voltis.agent.config.AgentConfig;
import io.voltis.sync.testing.SmallDisk;
import io.voltis.sync.testing.TestRepo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The running daemon with its state directory on a real 8 MiB tmpfs that fills up: status says
 * so truthfully, services stay listed and running, readiness fails, the store's endpoints answer
 * 503, and everything recovers without a restart once space returns.
 */
class StateDiskFaultsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path tmp;

    @Test
    void stateDiskFull_statusTellsTheTruth_andTheAgentRecoversWhenSpaceReturns() throws Exception {
        try (SmallDisk disk = SmallDisk.mount(tmp.resolve("disk"), 8);
             TestRepo origin = TestRepo.create(tmp.resolve("origin.git"))) {
            origin.commit("v1", ApiServerTest.workload("hello"));
            AgentConfig config = new AgentConfig(origin.fileUrl(), "main", "", "dev1", Duration.ofSeconds(1),
                    Duration.ofSeconds(1), disk.dir().resolve("state"), tmp.resolve("root"), AgentConfig.Runtime.PROCESS,
                    "127.0.0.1:0", null, false, null, null, null, null, 2, 10, Duration.ofSeconds(2));
            try (Agent agent = Agent.start(config, Map.of("PATH", System.getenv("PATH")))) {
                Http http = new Http(agent.apiPort());
                await().atMost(Duration.ofSeconds(30)).until(() -> status(http).get("phase").asString().equals("Synced"));

                disk.fill();
                String v2 = origin.commit("v2", ApiServerTest.workload("bye"));

                await().atMost(Duration.ofSeconds(30)).until(() -> http.get("/readyz").statusCode() == 503);
                JsonNode full = status(http);
                assertThat(List.of(full.get("source").path("reason").asString(""), full.path("lastError").asString("")))
                        .as("the reason words in status").anyMatch(w -> w.startsWith("DiskFull") || w.startsWith("StoreUnavailable"));
                assertThat(full.path("lastError").asString()).startsWith("DiskFull: ").doesNotContain("GitUnreachable");
                assertThat(names(full)).as("services stay listed: the runtime's view needs no store").containsExactly("web");
                assertThat(full.get("services").get(0).get("actual").asString()).isEqualTo("running");
                assertThat(JSON.readTree(http.get("/readyz").body()).get("status").asString()).isEqualTo("failing");
                assertThat(http.get("/healthz").statusCode()).as("liveness: the agent is alive").isEqualTo(200);
                for (String path : List.of("/api/v1/revisions", "/api/v1/events")) {
                    HttpResponse<String> answer = http.get(path);
                    assertThat(answer.statusCode()).as(path).isEqualTo(503);
                    assertThat(JSON.readTree(answer.body()).get("error").asString()).startsWith("DiskFull: ")
                            .as("one line").doesNotContain("\n");
                }

                disk.free();

                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    JsonNode s = status(http);
                    return s.get("phase").asString().equals("Synced") && v2.equals(s.path("appliedRevision").asString());
                });
                assertThat(http.get("/readyz").statusCode()).isEqualTo(200);
                HttpResponse<String> revisions = http.get("/api/v1/revisions");
                assertThat(revisions.statusCode()).isEqualTo(200);
                assertThat(revisions.body()).contains(v2);
                assertThat(http.get("/api/v1/events?limit=100").body()).contains("StoreRecovered", "SourceRecovered");
            }
        }
    }

    private static JsonNode status(Http http) throws Exception {
        return JSON.readTree(http.get("/api/v1/status").body());
    }

    private static List<String> names(JsonNode status) {
        List<String> out = new ArrayList<>();
        status.get("services").forEach(s -> out.add(s.get("name").asString()));
        return out;
    }
}
