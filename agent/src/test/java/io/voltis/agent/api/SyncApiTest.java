package io.voltis.agent.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;

import io.voltis.agent.Agent;
import io.voltis.agent.config.AgentConfig;
import io.voltis.sync.testing.SlotHosts;
import io.voltis.sync.testing.TestRepo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /api/v1/sync} on a real daemon whose poll interval is an hour: the hint makes it poll
 * now, a flood of hints costs one poll, and nothing but a JSON POST (with the token, when one is
 * set) is taken.
 */
class SyncApiTest {

    static final Duration HOUR = Duration.ofHours(1);
    final JsonMapper json = JsonMapper.builder().build();

    @TempDir
    Path tmp;

    AgentConfig config(TestRepo origin, String host, Path token) {
        return config(origin.fileUrl(), host, token);
    }

    AgentConfig config(String url, String host, Path token) {
        return new AgentConfig(url, "main", "", host, HOUR, Duration.ofSeconds(1), tmp.resolve("state"),
                tmp.resolve("root"), AgentConfig.Runtime.PROCESS, "127.0.0.1:0", token, false, null, null, null, null, 2, 10,
                Duration.ofSeconds(2));
    }

    long polls(Http http) throws Exception {
        return http.get("/metrics").body().lines().filter(l -> l.startsWith("voltis_polls_total"))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    void sync_pollsNow_appliesThePush_andAFloodOfHintsCostsOnePoll() throws Exception {
        String host = SlotHosts.farFromItsSlot(HOUR, Duration.ofMinutes(10));
        try (TestRepo origin = TestRepo.create(tmp.resolve("origin.git"))) {
            String v1 = origin.commit("v1", SlotHosts.oneFileDevice(host, "one"));
            try (Agent agent = Agent.start(config(origin, host, null), Map.of("PATH", System.getenv("PATH")))) {
                Http http = new Http(agent.apiPort());
                Thread.sleep(1500);
                assertThat(polls(http)).as("no poll before its slot, ten minutes away").isZero();

                HttpResponse r = new HttpResponse(http.postJson("/api/v1/sync", "{}"));
                assertThat(r.status).isEqualTo(202);
                assertThat(r.body.get("coalesced").asBoolean()).isFalse();
                await().atMost(Duration.ofSeconds(20)).until(() -> v1.equals(status(http).get("appliedRevision").asString()));
                assertThat(Files.readString(tmp.resolve("root/etc/app.conf"))).isEqualTo("greeting=one\n");

                String v2 = origin.commit("v2", SlotHosts.oneFileDevice(host, "two"));
                Thread.sleep(5200); // past the least gap between two hinted polls
                assertThat(new HttpResponse(http.postJson("/api/v1/sync", "")).status).isEqualTo(202);
                await().atMost(Duration.ofSeconds(20)).until(() -> v2.equals(status(http).get("appliedRevision").asString()));
                assertThat(Files.readString(tmp.resolve("root/etc/app.conf"))).isEqualTo("greeting=two\n");

                // a flood: 100 requests in a row are one poll (or two, across a 5 s window), not 100
                Thread.sleep(5200);
                long before = polls(http);
                int coalesced = 0;
                for (int i = 0; i < 100; i++) {
                    if (new HttpResponse(http.postJson("/api/v1/sync", "{}")).body.get("coalesced").asBoolean()) {
                        coalesced++;
                    }
                }
                Thread.sleep(2000);
                assertThat(coalesced).isGreaterThanOrEqualTo(98);
                assertThat(polls(http) - before).isBetween(1L, 2L);
            }
        }
    }

    /**
     * Over smart HTTP (protocol v2) a scheduled poll that finds a push makes 5 requests: a ref check
     * (capabilities GET, ls-refs POST), then the fetch (the same two and the fetch POST). The
     * hinted one fetches straight away: 3 (decision 0042).
     */
    @Test
    void sync_overHttp_fetchesWithoutARefCheckFirst() throws Exception {
        String host = SlotHosts.farFromItsSlot(HOUR, Duration.ofMinutes(10));
        try (TestRepo origin = TestRepo.create(tmp.resolve("origin.git"));
                io.voltis.sync.testing.GitHttpServer server = io.voltis.sync.testing.GitHttpServer.open(origin)) {
            String v1 = origin.commit("v1", SlotHosts.oneFileDevice(host, "one"));
            try (Agent agent = Agent.start(config(server.url(), host, null), Map.of("PATH", System.getenv("PATH")))) {
                Http http = new Http(agent.apiPort());
                assertThat(new HttpResponse(http.postJson("/api/v1/sync", "{}")).status).isEqualTo(202);
                await().atMost(Duration.ofSeconds(20)).until(() -> v1.equals(status(http).get("appliedRevision").asString()));

                String v2 = origin.commit("v2", SlotHosts.oneFileDevice(host, "two"));
                Thread.sleep(5200); // past the least gap between two hinted polls
                int before = server.requestCount();
                assertThat(new HttpResponse(http.postJson("/api/v1/sync", "{}")).status).isEqualTo(202);
                await().atMost(Duration.ofSeconds(20)).until(() -> v2.equals(status(http).get("appliedRevision").asString()));

                assertThat(Files.readString(tmp.resolve("root/etc/app.conf"))).isEqualTo("greeting=two\n");
                assertThat(server.requestCount() - before).as("requests for the hinted poll").isEqualTo(3);
            }
        }
    }

    @Test
    void sync_takesOnlyAJsonPost_andTheTokenWhenOneIsSet() throws Exception {
        String host = SlotHosts.farFromItsSlot(HOUR, Duration.ofMinutes(10));
        Path token = tmp.resolve("token");
        Files.writeString(token, "0123456789abcdef0123\n");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
        try (TestRepo origin = TestRepo.create(tmp.resolve("origin.git"))) {
            origin.commit("v1", SlotHosts.oneFileDevice(host, "one"));
            try (Agent agent = Agent.start(config(origin, host, token), Map.of("PATH", System.getenv("PATH")))) {
                Http anonymous = new Http(agent.apiPort());
                Http withToken = new Http(agent.apiPort(), "0123456789abcdef0123");

                assertThat(anonymous.postJson("/api/v1/sync", "{}").statusCode()).isEqualTo(401);
                for (String method : java.util.List.of("GET", "HEAD", "PUT", "DELETE", "PATCH")) {
                    var r = withToken.send(method, "/api/v1/sync");
                    assertThat(r.statusCode()).as(method).isEqualTo(405);
                    assertThat(r.headers().firstValue("Allow")).as(method).contains("POST");
                }
                var form = withToken.send("POST", "/api/v1/sync"); // no JSON content type: as a browser's form
                assertThat(form.statusCode()).isEqualTo(415);
                assertThat(json.readTree(form.body()).get("error").asString()).contains("Content-Type: application/json");
                assertThat(withToken.postJson("/api/v1/sync", "x".repeat(5000)).statusCode()).isEqualTo(413);
                assertThat(polls(withToken)).as("no refused request polled").isZero();
                // POST elsewhere is still refused: the API changes nothing
                assertThat(withToken.postJson("/api/v1/status", "{}").statusCode()).isEqualTo(405);

                assertThat(withToken.postJson("/api/v1/sync", "{}").statusCode()).isEqualTo(202);
                await().atMost(Duration.ofSeconds(20)).until(() -> polls(withToken) >= 1);
            }
        }
    }

    JsonNode status(Http http) throws Exception {
        return json.readTree(http.get("/api/v1/status").body());
    }

    final class HttpResponse {
        final int status;
        final JsonNode body;

        HttpResponse(java.net.http.HttpResponse<String> r) {
            this.status = r.statusCode();
            this.body = json.readTree(r.body());
        }
    }
}
