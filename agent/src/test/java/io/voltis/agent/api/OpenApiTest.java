package io.voltis.agent.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.voltis.agent.reconcile.AgentFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * docs/api/openapi.yaml against real answers: every documented path is requested from a real
 * agent, every answer's status must be documented for that path, and every JSON body must match
 * its schema (which forbids properties it does not name), so neither can drift from the other.
 */
class OpenApiTest {

    static final Path DOC = Path.of(System.getProperty("voltis.projectRoot"), "docs/api/openapi.yaml");
    static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    @TempDir
    Path tmp;

    AgentFixture f;
    ApiServer server;
    Http http;
    JsonNode doc;

    @BeforeEach
    void setUp() throws Exception {
        doc = YAMLMapper.builder().build().readTree(Files.readString(DOC));
        f = new AgentFixture(tmp);
        f.origin.commit("v1", ApiServerTest.workload("hello"));
        f.start();
        f.converge();
        f.origin.commit("v2", ApiServerTest.workload("bye"));
        f.agent.store().setPin(f.agent.status().appliedRevision());
        f.converge();
        server = ApiServer.start(ApiServer.Settings.of("127.0.0.1", 0, null), f.agent.apiSources());
        http = new Http(server.port());
    }

    @AfterEach
    void tearDown() {
        server.close();
        f.close();
    }

    /** A JSON Schema for one component: the document's schemas as $defs, refs rewritten to point there. */
    Schema schema(JsonNode schemaOrRef) {
        ObjectNode root = JsonMapper.builder().build().createObjectNode();
        root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        root.set("$defs", doc.get("components").get("schemas"));
        root.setAll((ObjectNode) schemaOrRef);
        String text = root.toString().replace("#/components/schemas/", "#/$defs/");
        return REGISTRY.getSchema(JsonMapper.builder().build().readTree(text));
    }

    JsonNode response(String path, int status) {
        JsonNode r = doc.get("paths").get(path).get("get").get("responses").get(String.valueOf(status));
        if (r != null && r.has("$ref")) {
            r = doc.get("components").get("responses").get(r.get("$ref").asString().replace("#/components/responses/", ""));
        }
        return r;
    }

    String concrete(String template) {
        return template.replace("{sha}", f.agent.status().appliedRevision()).replace("{name}", "web");
    }

    @Test
    void everyDocumentedPath_answersAsDocumented() throws Exception {
        List<String> checked = new ArrayList<>();
        for (var e : doc.get("paths").properties()) {
            String template = e.getKey();
            if (!e.getValue().has("get")) {
                continue; // POST /api/v1/sync: documentedSync_answersAsDocumented
            }
            for (String query : List.of("", "?limit=2")) {
                if (!query.isEmpty() && !template.endsWith("revisions") && !template.endsWith("events")) {
                    continue;
                }
                HttpResponse<String> r = http.get(concrete(template) + query);
                JsonNode documented = response(template, r.statusCode());
                assertThat(documented).as("GET " + template + query + " answered " + r.statusCode()
                        + ", which the document does not list").isNotNull();
                String type = r.headers().firstValue("Content-Type").orElse("").split(";")[0];
                JsonNode content = documented.get("content").get(type);
                assertThat(content).as(template + ": content type " + type + " is not documented").isNotNull();
                if (type.equals("application/json")) {
                    List<Error> errors = schema(content.get("schema")).validate(JsonMapper.builder().build().readTree(r.body()));
                    assertThat(errors).as(template + query + " body:\n" + r.body()).isEmpty();
                }
                checked.add(template + query);
            }
        }
        assertThat(checked).contains("/api/v1/status", "/api/v1/revisions/{sha}", "/metrics", "/");
    }

    /** A device held by a rollout plan: the status's rollout object is as documented, and the summary says why. */
    @Test
    void statusOfADeviceWaitingForItsWave_answersAsDocumented() throws Exception {
        java.util.Map<String, String> files = new java.util.HashMap<>(ApiServerTest.workload("later"));
        files.replaceAll((path, text) -> path.endsWith("/workload.yaml")
                ? text + "rollout: {waves: [{name: all, percent: 100, after: 2h}]}\n" : text);
        String v3 = f.origin.commit("v3", files);
        f.agent.store().clearPin();
        f.converge();

        HttpResponse<String> r = http.get("/api/v1/status");
        JsonNode body = JsonMapper.builder().build().readTree(r.body());

        assertThat(schema(response("/api/v1/status", 200).get("content").get("application/json").get("schema"))
                .validate(body)).as(r.body()).isEmpty();
        assertThat(body.get("rollout").get("state").asString()).isEqualTo("waiting");
        assertThat(body.get("rollout").get("head").asString()).isEqualTo(v3);
        assertThat(body.get("summary").asString()).contains("; waiting: wave all (100%, after 2h) of release "
                + v3.substring(0, 12) + " eligible at ");
        assertThat(body.get("desiredRevision").asString()).isEqualTo(body.get("appliedRevision").asString()).isNotEqualTo(v3);
    }

    @Test
    void documentedErrors_matchRealOnes() throws Exception {
        record Case(String template, String url, int status) {
        }
        for (Case c : List.of(new Case("/api/v1/revisions/{sha}", "/api/v1/revisions/deadbeef", 404),
                new Case("/api/v1/revisions/{sha}", "/api/v1/revisions/nothex", 400),
                new Case("/api/v1/services/{name}/logs", "/api/v1/services/nosuch/logs", 404),
                new Case("/api/v1/events", "/api/v1/events?limit=0", 400))) {
            HttpResponse<String> r = http.get(c.url());
            assertThat(r.statusCode()).as(c.url()).isEqualTo(c.status());
            JsonNode content = response(c.template(), c.status()).get("content").get("application/json");
            assertThat(schema(content.get("schema")).validate(JsonMapper.builder().build().readTree(r.body())))
                    .as(c.url()).isEmpty();
        }
    }

    @Test
    void documentedSync_answersAsDocumented() throws Exception {
        JsonNode responses = doc.get("paths").get("/api/v1/sync").get("post").get("responses");
        HttpResponse<String> ok = http.postJson("/api/v1/sync", "{}");
        assertThat(ok.statusCode()).isEqualTo(202);
        assertThat(schema(responses.get("202").get("content").get("application/json").get("schema"))
                .validate(JsonMapper.builder().build().readTree(ok.body()))).as(ok.body()).isEmpty();
        HttpResponse<String> form = http.send("POST", "/api/v1/sync");
        assertThat(form.statusCode()).isEqualTo(415);
        assertThat(schema(responses.get("415").get("content").get("application/json").get("schema"))
                .validate(JsonMapper.builder().build().readTree(form.body()))).isEmpty();
    }

    @Test
    void aSchemaThatNamesTooLittle_isCaught() {
        // the check itself can fail: a status body with a field the schema does not name is refused
        ObjectNode body = (ObjectNode) JsonMapper.builder().build().readTree(statusBody());
        body.put("secretField", "x");

        assertThat(schema(refTo("Status")).validate(body)).isNotEmpty();
    }

    @Test
    void everyEndpointServed_isDocumented() {
        Set<String> documented = new TreeSet<>();
        doc.get("paths").properties().forEach(e -> documented.add(e.getKey()));

        assertThat(documented).containsExactlyInAnyOrder("/api/v1/status", "/api/v1/sync", "/api/v1/revisions", "/api/v1/revisions/{sha}",
                "/api/v1/events", "/api/v1/services/{name}/logs", "/metrics", "/healthz", "/readyz", "/");
    }

    String statusBody() {
        try {
            return http.get("/api/v1/status").body();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode refTo(String name) {
        return JsonMapper.builder().build().readTree("{\"$ref\": \"#/components/schemas/" + name + "\"}");
    }

    @Test
    void eventTypes_areExactlyTheAgentsOwn() {
        List<String> documented = new ArrayList<>();
        doc.path("components").path("schemas").path("Event").path("properties").path("type").path("enum")
                .forEach(n -> documented.add(n.asString()));

        assertThat(documented).as("Event.type in " + DOC + " against io.voltis.sync.store.EventType")
                .containsExactlyElementsOf(io.voltis.sync.store.EventType.words());
    }
}
