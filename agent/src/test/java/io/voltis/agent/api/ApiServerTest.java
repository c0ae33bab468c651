package io.voltis.agent.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.voltis.agent.reconcile.AgentFixture;
import io.voltis.agent.reconcile.Phase;
import io.voltis.sync.store.EventType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The status API served by a real agent (real repo, store, processes) on a loopback port. */
class ApiServerTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final List<String> PATHS = List.of("/", "/app.js", "/style.css", "/api/v1/status", "/api/v1/revisions",
            "/api/v1/revisions/0123abcd", "/api/v1/events", "/api/v1/events?follow=true",
            "/api/v1/services/web/logs", "/api/v1/services/web/logs?follow=true", "/metrics", "/healthz", "/readyz",
            "/nowhere");

    @TempDir
    Path tmp;

    AgentFixture f;
    ApiServer server;
    Http http;

    static Map<String, String> workload(String greeting) {
        Map<String, String> files = new HashMap<>();
        files.put("devices/dev1.yaml", "workload: app\nvars: {greeting: \"" + greeting + "\"}\n");
        files.put("workloads/app/files/app.conf", "greeting=${greeting}\n");
        files.put("workloads/app/workload.yaml", "apiVersion: voltis/v1\n"
                + "files:\n  - {source: files/app.conf, target: etc/app.conf, template: true}\n"
                + "services:\n"
                + "  - {name: web, command: [sh, -c, \"i=0; while true; do echo line-$i; i=$((i+1)); sleep 0.2; done\"]}\n"
                + "jobs:\n"
                + "  - {name: migrate, run: [sh, -c, \"echo migrated\"], when: per-revision}\n");
        return files;
    }

    @BeforeEach
    void setUp() throws Exception {
        f = new AgentFixture(tmp);
        f.origin.commit("v1", workload("hello"));
        f.start();
    }

    void serve(ApiServer.Settings settings) {
        server = ApiServer.start(settings, f.agent.apiSources());
        http = new Http(server.port(), null);
    }

    void serve() {
        serve(ApiServer.Settings.of("127.0.0.1", 0, null));
    }

    @AfterEach
    void tearDown() {
        if (server != null) {
            server.close();
        }
        f.close();
    }

    JsonNode json(HttpResponse<String> r) {
        return JSON.readTree(r.body());
    }

    @Test
    void readyz_isStartingUntilTheFirstTick_thenReady() throws Exception {
        serve();
        assertThat(http.get("/readyz").statusCode()).isEqualTo(503);
        assertThat(json(http.get("/readyz")).get("status").asString()).isEqualTo("starting");
        assertThat(http.get("/healthz").statusCode()).isEqualTo(200);

        f.converge();

        HttpResponse<String> ready = http.get("/readyz");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(json(ready).get("status").asString()).isEqualTo("ready");
        assertThat(json(http.get("/healthz")).get("status").asString()).isEqualTo("ok");
    }

    @Test
    void status_showsAppliedDesiredHeadServicesJobs_withIsoUtcTimes() throws Exception {
        f.converge();
        serve();

        HttpResponse<String> r = http.get("/api/v1/status");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        JsonNode s = json(r);
        String head = f.origin.head();
        assertThat(s.get("hostname").asString()).isEqualTo("dev1");
        assertThat(s.get("workload").asString()).isEqualTo("app");
        assertThat(s.get("phase").asString()).isEqualTo("Synced");
        assertThat(s.get("appliedRevision").asString()).isEqualTo(head);
        assertThat(s.get("desiredRevision").asString()).isEqualTo(head);
        assertThat(s.get("summary").asString()).isEqualTo("synced to " + head.substring(0, 12));
        assertThat(s.get("pin").isNull()).isTrue();
        JsonNode src = s.get("source");
        assertThat(src.get("url").asString()).isEqualTo(f.origin.fileUrl());
        assertThat(src.get("branch").asString()).isEqualTo("main");
        assertThat(src.get("headRevision").asString()).isEqualTo(head);
        assertThat(src.get("reachable").asBoolean()).isTrue();
        assertThat(src.get("lastPollAt").asString()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z");
        assertThat(Instant.parse(src.get("lastPollAt").asString())).isBefore(Instant.now().plusSeconds(1));
        JsonNode web = s.get("services").get(0);
        assertThat(web.get("name").asString()).isEqualTo("web");
        assertThat(web.get("desired").asString()).isEqualTo("running");
        assertThat(web.get("actual").asString()).isEqualTo("running");
        assertThat(web.get("restarts").asInt()).isZero();
        assertThat(s.get("jobs").get(0).get("name").asString()).isEqualTo("migrate");
        assertThat(s.get("jobs").get(0).get("result").asString()).isEqualTo("succeeded");
        assertThat(s.get("lastError").isNull()).isTrue();
    }

    @Test
    void status_whenPinnedAndHeadMoved_saysPinnedAndHead() throws Exception {
        f.converge();
        String v1 = f.origin.head();
        f.agent.store().setPin(v1);
        String v2 = f.origin.commit("v2", workload("bye"));
        f.converge();
        serve();

        JsonNode s = json(http.get("/api/v1/status"));

        assertThat(s.get("phase").asString()).isEqualTo("Synced");
        assertThat(s.get("appliedRevision").asString()).isEqualTo(v1);
        assertThat(s.get("pin").get("revision").asString()).isEqualTo(v1);
        assertThat(s.get("pin").get("source").asString()).isEqualTo("cli");
        assertThat(s.get("source").get("headRevision").asString()).isEqualTo(v2);
        assertThat(s.get("summary").asString()).isEqualTo("synced to " + v1.substring(0, 12) + "; pinned to "
                + v1.substring(0, 12) + " (cli); head is " + v2.substring(0, 12));
    }

    @Test
    void status_whenTheServerIsGone_saysFailingToFetchSince_andKeepsRunning() throws Exception {
        f.converge();
        String v1 = f.origin.head();
        f.close(); // closes the agent too; restart it on a repo URL that no longer exists
        f = new AgentFixture(tmp.resolve("again"));
        f.origin.commit("v1", workload("hello"));
        f.start();
        f.converge();
        String applied = f.origin.head();
        f.origin.close();
        deleteTree(f.origin.dir());
        f.agent.pollNow();
        f.agent.tickNow();
        serve();

        JsonNode s = json(http.get("/api/v1/status"));

        assertThat(v1).isNotNull();
        assertThat(s.get("phase").asString()).isEqualTo("Synced");
        assertThat(s.get("appliedRevision").asString()).isEqualTo(applied);
        assertThat(s.get("source").get("reachable").asBoolean()).isFalse();
        assertThat(s.get("source").get("reason").asString()).isNotBlank();
        assertThat(s.get("summary").asString()).startsWith("synced to " + applied.substring(0, 12))
                .contains("; failing to fetch since " + s.get("source").get("failingSince").asString());
    }

    static void deleteTree(Path dir) throws Exception {
        try (var walk = java.nio.file.Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void revisions_listAndDetail_withApplies() throws Exception {
        f.converge();
        String v1 = f.origin.head();
        String v2 = f.origin.commit("second greeting", workload("bye"));
        f.converge();
        serve();

        JsonNode list = json(http.get("/api/v1/revisions"));
        assertThat(list).hasSize(2);
        assertThat(list.get(0).get("sha").asString()).isEqualTo(v2);
        assertThat(list.get(0).get("message").asString()).isEqualTo("second greeting");
        assertThat(list.get(0).get("validation").asString()).isEqualTo("valid");
        assertThat(list.get(0).get("applied").asBoolean()).isTrue();
        assertThat(list.get(0).get("lastApply").get("result").asString()).isEqualTo("succeeded");
        assertThat(list.get(0).has("applies")).isFalse();
        assertThat(list.get(1).get("sha").asString()).isEqualTo(v1);
        assertThat(list.get(1).get("applied").asBoolean()).isFalse();
        assertThat(json(http.get("/api/v1/revisions?limit=1"))).hasSize(1);

        HttpResponse<String> detail = http.get("/api/v1/revisions/" + v1.substring(0, 10));
        assertThat(detail.statusCode()).isEqualTo(200);
        assertThat(json(detail).get("sha").asString()).isEqualTo(v1);
        assertThat(json(detail).get("applies")).hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/v1/revisions?limit=0", "/api/v1/revisions?limit=abc", "/api/v1/revisions?limit=1001",
            "/api/v1/revisions/xyz", "/api/v1/revisions/12", "/api/v1/events?follow=maybe",
            "/api/v1/services/web/logs?lines=-1"})
    void badQueryOrRevision_is400_withAOneLineJsonError(String path) throws Exception {
        f.converge();
        serve();

        HttpResponse<String> r = http.get(path);

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).get("status").asInt()).isEqualTo(400);
        assertThat(json(r).get("error").asString()).doesNotContain("\n").isNotBlank();
    }

    @Test
    void unknownRevision_is404() throws Exception {
        f.converge();
        serve();

        HttpResponse<String> r = http.get("/api/v1/revisions/deadbeef");

        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(json(r).get("error").asString()).isEqualTo("no revision deadbeef recorded on this device");
    }

    @Test
    void unknownPath_is404Json() throws Exception {
        serve();

        HttpResponse<String> r = http.get("/api/v2/status");

        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        assertThat(json(r).get("error").asString()).startsWith("no such path: /api/v2/status");
    }

    @Test
    void everyMethodButGetAndHead_is405_onEveryPath_andChangesNothing() throws Exception {
        f.converge();
        serve();
        int applies = f.agent.store().applies(100).size();

        for (String path : PATHS) {
            for (String method : List.of("POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE")) {
                HttpResponse<String> r = http.send(method, path);
                assertThat(r.statusCode()).as(method + " " + path).isEqualTo(405);
                assertThat(r.headers().firstValue("Allow")).as(method + " " + path).contains("GET, HEAD");
                if (!method.equals("HEAD")) {
                    assertThat(json(r).get("error").asString()).as(method + " " + path)
                            .isEqualTo(method + " is not allowed: the status API is read-only (GET, HEAD)");
                }
            }
        }
        assertThat(f.agent.store().pin()).isEmpty();
        assertThat(f.agent.store().applies(100)).hasSize(applies);
    }

    @Test
    void head_answersHeadersWithoutABody() throws Exception {
        f.converge();
        serve();

        HttpResponse<String> r = http.send("HEAD", "/api/v1/status");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        assertThat(r.body()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/v1/services/../logs", "/api/v1/services/web/../../status",
            "/api/v1/services/%2e%2e/logs", "/api/v1/services/..%2f..%2fetc%2fpasswd/logs", "/./api/v1/status",
            "/api/v1/services/web%00/logs"})
    void pathTraversal_is400_andReadsNothing(String path) throws Exception {
        f.converge();
        serve();

        String answer = http.raw(Http.rawGet(path));

        assertThat(answer).startsWith("HTTP/1.1 400");
        assertThat(answer).doesNotContain("root:").doesNotContain("line-");
    }

    @Test
    void logs_ofAServiceThatDoesNotExist_is404() throws Exception {
        f.converge();
        serve();

        HttpResponse<String> r = http.get("/api/v1/services/nosuch/logs");

        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(json(r).get("error").asString()).isEqualTo("no service 'nosuch' in the applied workload");
    }

    @Test
    void logs_tailTheLastLines_asText() throws Exception {
        f.converge();
        serve();
        await().atMost(Duration.ofSeconds(10)).until(() -> http.get("/api/v1/services/web/logs").body().lines().count() >= 5);

        HttpResponse<String> r = http.get("/api/v1/services/web/logs?lines=3");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        List<String> lines = r.body().lines().toList();
        assertThat(lines).hasSize(3).allMatch(l -> l.matches("line-\\d+"));
        int first = Integer.parseInt(lines.get(0).substring(5));
        assertThat(lines).containsExactly("line-" + first, "line-" + (first + 1), "line-" + (first + 2));
    }

    @Test
    void logs_follow_streamsNewLinesAsServerSentEvents() throws Exception {
        f.converge();
        serve();

        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET /api/v1/services/web/logs?follow=true&lines=1 HTTP/1.1\r\nHost: x\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            assertThat(in.readLine()).startsWith("HTTP/1.1 200");
            List<Integer> seen = new ArrayList<>();
            for (String line; seen.size() < 8 && (line = in.readLine()) != null; ) {
                if (line.startsWith("data:line-")) {
                    seen.add(Integer.parseInt(line.substring("data:line-".length())));
                }
            }
            // consecutive: the follower neither repeats nor skips a line
            for (int i = 1; i < seen.size(); i++) {
                assertThat(seen.get(i)).isEqualTo(seen.get(i - 1) + 1);
            }
        }
    }

    @Test
    void events_listNewestFirst_andFollowStreamsANewOne() throws Exception {
        serve(); // before the events: a follower must still get only the backlog it asked for, then what is new
        f.converge();
        JsonNode events = json(http.get("/api/v1/events"));
        assertThat(events.size()).isPositive();
        assertThat(events.get(0).get("id").asLong()).isGreaterThan(events.get(events.size() - 1).get("id").asLong());
        assertThat(events.findValuesAsString("type")).contains("RevisionSeen", "Applied");

        assertThat(server.feedTimers()).as("nobody follows: no feed timer wakes").isZero();
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(15_000);
            s.getOutputStream().write("GET /api/v1/events?follow=true&limit=1 HTTP/1.1\r\nHost: x\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            assertThat(in.readLine()).startsWith("HTTP/1.1 200");
            await().atMost(Duration.ofSeconds(10)).until(() -> server.feedTimers() == 1);
            String v2 = f.origin.commit("v2", workload("bye"));
            f.agent.pollNow();
            String seen = null;
            List<Long> ids = new ArrayList<>();
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith("id:")) {
                    ids.add(Long.parseLong(line.substring(3).strip()));
                }
                if (line.startsWith("data:") && line.contains("\"RevisionSeen\"") && line.contains(v2)) {
                    seen = line;
                    break;
                }
            }
            // the backlog (one event), then only what is new: never an event twice, never out of order
            assertThat(ids).isSorted().doesNotHaveDuplicates();
            assertThat(ids.get(0)).isEqualTo(events.get(0).get("id").asLong());
            assertThat(seen).isNotNull();
            assertThat(JSON.readTree(seen.substring(5)).get("revision").asString()).isEqualTo(v2);
        }
        f.origin.commit("v3", workload("again")); // a new event: the feed finds its follower gone
        f.agent.pollNow();
        await().atMost(Duration.ofSeconds(30)).until(() -> server.feedTimers() == 0);
    }

    @Test
    void hugeHeaderOrQuery_isRefused_andTheServerKeepsServing() throws Exception {
        f.converge();
        serve();

        String hugeHeader = http.raw("GET /api/v1/status HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(64 * 1024)
                + "\r\nConnection: close\r\n\r\n");
        String hugeQuery = http.raw(Http.rawGet("/api/v1/status?q=" + "a".repeat(64 * 1024)));
        StringBuilder many = new StringBuilder("/api/v1/events?");
        for (int i = 0; i < 200; i++) {
            many.append("p").append(i).append("=1&");
        }
        String manyParams = http.raw(Http.rawGet(many.toString()));

        assertThat(hugeHeader).satisfiesAnyOf(a -> assertThat(a).isEmpty(), a -> assertThat(a).startsWith("HTTP/1.1 4"));
        assertThat(hugeQuery).satisfiesAnyOf(a -> assertThat(a).isEmpty(), a -> assertThat(a).startsWith("HTTP/1.1 4"));
        assertThat(manyParams).satisfiesAnyOf(a -> assertThat(a).isEmpty(), a -> assertThat(a).startsWith("HTTP/1.1 4"));
        assertThat(http.get("/api/v1/status").statusCode()).isEqualTo(200);
    }

    @Test
    void fiveHundredSseClientsThatVanish_leaveNoFollowerOrThreadBehind() throws Exception {
        f.converge();
        serve(new ApiServer.Settings("127.0.0.1", 0, null, 1000, 64, 200));
        int threadsBefore = Thread.activeCount();
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < 500; i++) {
                Socket s = new Socket("127.0.0.1", server.port());
                s.getOutputStream().write("GET /api/v1/events?follow=true HTTP/1.1\r\nHost: x\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                sockets.add(s);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> server.followers() == 500);
        } finally {
            for (Socket s : sockets) {
                s.setSoLinger(true, 0); // RST: gone without a goodbye
                s.close();
            }
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> server.followers() == 0);
        // Undertow's worker pool (at most 4) may start threads lazily; a thread per client would show as hundreds
        assertThat(Thread.activeCount()).isLessThanOrEqualTo(threadsBefore + 8);
        assertThat(http.get("/api/v1/status").statusCode()).isEqualTo(200);
    }

    @Test
    void eventFollowers_beyondTheLimit_get503_andAFreedSlotCanBeTakenAgain() throws Exception {
        f.converge();
        serve(new ApiServer.Settings("127.0.0.1", 0, null, 2, 2, 200));
        String follow = "GET /api/v1/events?follow=true HTTP/1.1\r\nHost: x\r\n\r\n";
        Socket first = new Socket("127.0.0.1", server.port());
        Socket second = new Socket("127.0.0.1", server.port());
        try {
            for (Socket s : List.of(first, second)) {
                s.getOutputStream().write(follow.getBytes(StandardCharsets.US_ASCII));
                s.setSoTimeout(10_000);
                assertThat(new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine())
                        .startsWith("HTTP/1.1 200");
            }

            HttpResponse<String> third = http.get("/api/v1/events?follow=true");
            assertThat(third.statusCode()).isEqualTo(503);
            assertThat(json(third).get("error").asString()).isEqualTo("too many followers of the event stream; try again later");

            first.close();
            await().atMost(Duration.ofSeconds(10)).until(() -> server.followers() == 1);
            try (Socket again = new Socket("127.0.0.1", server.port())) {
                again.setSoTimeout(10_000);
                again.getOutputStream().write(follow.getBytes(StandardCharsets.US_ASCII));
                assertThat(new BufferedReader(new InputStreamReader(again.getInputStream(), StandardCharsets.UTF_8)).readLine())
                        .startsWith("HTTP/1.1 200");
            }
        } finally {
            first.close();
            second.close();
        }
    }

    @Test
    void aFollowerThatStopsReading_isDropped_notBufferedFor() throws Exception {
        f.converge();
        serve(new ApiServer.Settings("127.0.0.1", 0, null, 10, 10, 60_000));
        try (Socket lazy = new Socket()) {
            lazy.setReceiveBufferSize(4096);
            lazy.connect(new java.net.InetSocketAddress("127.0.0.1", server.port()));
            lazy.getOutputStream().write("GET /api/v1/events?follow=true HTTP/1.1\r\nHost: x\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            await().atMost(Duration.ofSeconds(10)).until(() -> server.followers() == 1);

            // far more than socket buffers hold; the client never reads a byte
            String big = "x".repeat(16 * 1024);
            for (int i = 0; i < 3 * SseClient.MAX_UNSENT; i++) {
                f.agent.store().addEvent(EventType.DRIFT_CORRECTED, null, big);
            }

            await().atMost(Duration.ofSeconds(60)).until(() -> server.followers() == 0);
            assertThat(http.get("/api/v1/status").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void metrics_arePrometheusText_withVoltisSeries() throws Exception {
        f.converge();
        serve();

        HttpResponse<String> r = http.get("/metrics");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain; version=0.0.4");
        assertThat(r.body()).contains("voltis_phase{phase=\"Synced\"} 1.0")
                .contains("voltis_applied_revision_info{revision=\"" + f.origin.head() + "\"")
                .contains("voltis_polls_total{");
    }

    @Test
    void page_isServedWithAStrictContentSecurityPolicy() throws Exception {
        serve();

        HttpResponse<String> r = http.get("/");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(r.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(v ->
                assertThat(v).contains("default-src 'none'").contains("script-src 'self'"));
        assertThat(r.body()).contains("<script src=\"/app.js\"").doesNotContain("http://").doesNotContain("https://");
        assertThat(http.get("/app.js").body()).doesNotContain("http://").doesNotContain("https://");
        assertThat(f.agent.status().phase()).isEqualTo(Phase.PROGRESSING);
    }
}
