package io.voltis.agent.api;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.voltis.agent.Agent;
import io.voltis.agent.packages.artifact.TestArchives;
import io.voltis.agent.packages.system.CommandRunner;
import io.voltis.agent.packages.system.FakeManagers;
import io.voltis.agent.packages.system.SystemPackages;
import io.voltis.agent.reconcile.AgentFixture;
import io.voltis.agent.reconcile.Phase;
import io.voltis.model.PackageManager;
import io.voltis.sync.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * {@code packages[]} of {@code GET /api/v1/status} from a whole agent: a real repo, a real
 * artifact (a tar.gz served by WireMock on 127.0.0.1), a clock the test moves. apt itself is
 * FAKED ({@link FakeManagers}: shell scripts named dpkg-query and apt-get, run as real
 * processes) because a real install needs root, the network and would change the build
 * machine; only {@link #realDpkg_isInstalledWithTheVersionDpkgReports} asks the real,
 * read-only dpkg-query where the build machine has one.
 */
class StatusPackagesTest {

    static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
    static final byte[] GATEWAY = TestArchives.tarGz(TestArchives.dir("bin"),
            TestArchives.executable("bin/gateway", "#!/bin/sh\necho gateway 1.4\n"));
    static final String GATEWAY_SHA = TestArchives.sha256(GATEWAY);

    @TempDir
    Path tmp;

    final MutableClock clock = new MutableClock(T0);
    WireMockServer artifacts;
    FakeManagers apt;
    AgentFixture f;
    ApiServer server;
    Http http;

    @BeforeEach
    void setUp() throws Exception {
        artifacts = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort());
        artifacts.start();
        artifacts.stubFor(get(urlEqualTo("/dl/gateway-1.4.tar.gz")).willReturn(aResponse().withStatus(200).withBody(GATEWAY)));
        apt = FakeManagers.in(tmp.resolve("apt"), PackageManager.APT);
        f = new AgentFixture(tmp.resolve("agent"));
        f.machine = new Agent.Machine(clock, new SystemPackages(CommandRunner.processes(), List.of(apt.bin),
                Duration.ofSeconds(30), Duration.ofSeconds(30)));
    }

    @AfterEach
    void tearDown() {
        if (server != null) {
            server.close();
        }
        f.close();
        artifacts.stop();
    }

    /** mosquitto (apt), curl (apt), gateway-bin (an artifact into opt/gateway), in that order. */
    Map<String, String> workload() {
        Map<String, String> files = new HashMap<>();
        files.put("devices/dev1.yaml", "workload: app\n");
        files.put("workloads/app/files/app.conf", "port=8080\n");
        files.put("workloads/app/workload.yaml", "apiVersion: voltis/v1\n"
                + "files:\n  - {source: files/app.conf, target: etc/app.conf}\n"
                + "packages:\n"
                + "  - {name: mosquitto, manager: apt}\n"
                + "  - {name: curl, manager: apt}\n"
                + "  - {name: gateway-bin, url: \"http://127.0.0.1:" + artifacts.port() + "/dl/gateway-1.4.tar.gz\","
                + " sha256: " + GATEWAY_SHA + ", extractTo: opt/gateway}\n");
        return files;
    }

    JsonNode status() throws Exception {
        if (server == null) {
            server = ApiServer.start(ApiServer.Settings.of("127.0.0.1", 0, null), f.agent.apiSources());
            http = new Http(server.port());
        }
        var r = http.get("/api/v1/status");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = JsonMapper.builder().build().readTree(r.body());
        assertThat(schemaErrors(body)).as("the status answer against docs/api/openapi.yaml").isEmpty();
        return body;
    }

    static String row(JsonNode p) {
        return p.path("name").asString() + " " + p.path("manager").asString() + " " + p.path("state").asString()
                + " " + text(p.path("version")) + " " + text(p.path("checkedAt")) + " " + text(p.path("message"));
    }

    static String text(JsonNode n) {
        return n.isNull() ? "null" : n.asString();
    }

    List<String> packages(JsonNode status) {
        return status.path("packages").valueStream().map(StatusPackagesTest::row).toList();
    }

    @Test
    void apply_listsEachDeclaredPackage_withItsInstalledVersionAndWhenChecked() throws Exception {
        apt.markInstalled("mosquitto", "2.0.11-1");
        f.origin.commit("v1", workload());
        f.start();

        assertThat(f.converge().phase()).isEqualTo(Phase.SYNCED);

        JsonNode s = status();
        assertThat(packages(s)).containsExactly(
                "mosquitto apt installed 2.0.11-1 " + T0 + " null",
                "curl apt installed " + FakeManagers.INSTALLED_VERSION + " " + T0 + " null",
                "gateway-bin artifact installed " + GATEWAY_SHA.substring(0, 12) + " " + T0 + " gateway-1.4.tar.gz in "
                        + f.root.resolve("opt/gateway").toAbsolutePath().normalize());
        assertThat(f.root.resolve("opt/gateway/bin/gateway")).isExecutable();
        assertThat(apt.calls()).filteredOn(c -> c.startsWith("apt-get install")).hasSize(1).first().asString()
                .endsWith("-- curl");
    }

    @Test
    void applyFailingAtAPackage_saysWhyItFailed_andTheRestArePending() throws Exception {
        apt.markInstalled("mosquitto", "2.0.11-1");
        apt.failInstalls();
        f.origin.commit("v1", workload());
        f.start();

        assertThat(f.converge().phase()).isEqualTo(Phase.FAILED);

        JsonNode s = status();
        assertThat(packages(s)).containsExactly(
                "mosquitto apt installed 2.0.11-1 " + T0 + " null",
                "curl apt failed null " + T0 + " apt install failed: apt-get exited with code 100:"
                        + " E: Unable to locate package curl",
                "gateway-bin artifact pending null null not checked: the apply stopped at curl");
        assertThat(s.path("lastError").asString()).endsWith("failed at packages: curl: apt install failed: apt-get"
                + " exited with code 100: E: Unable to locate package curl");
        assertThat(artifacts.getAllServeEvents()).as("nothing downloaded after the failure").isEmpty();
    }

    @Test
    void packageRemovedByHand_isMissingAfterTheNextRecheck_andNothingIsInstalledBetweenApplies() throws Exception {
        apt.markInstalled("mosquitto", "2.0.11-1");
        f.origin.commit("v1", workload());
        f.start();
        assertThat(f.converge().phase()).isEqualTo(Phase.SYNCED);
        int installs = installs();

        apt.remove("mosquitto");
        try (var tree = Files.walk(f.root.resolve("opt/gateway"))) {
            tree.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        clock.advance(Duration.ofMinutes(9));
        f.agent.tickNow();

        assertThat(packages(status())).as("not due yet: what the apply saw, checked at T0").startsWith(
                "mosquitto apt installed 2.0.11-1 " + T0 + " null");

        Instant recheck = clock.advance(Duration.ofMinutes(1));
        f.agent.tickNow();

        assertThat(packages(status())).containsExactly(
                "mosquitto apt missing null " + recheck + " not installed; the next apply installs it",
                "curl apt installed " + FakeManagers.INSTALLED_VERSION + " " + recheck + " null",
                "gateway-bin artifact missing null " + recheck + " not installed; the next apply installs it");
        assertThat(apt.isInstalled("mosquitto")).isFalse();
        assertThat(installs()).isEqualTo(installs);
        assertThat(artifacts.getAllServeEvents()).hasSize(1);
    }

    @Test
    void restartedAgent_readsThePackagesAgainOnItsFirstTick() throws Exception {
        apt.markInstalled("mosquitto", "2.0.11-1");
        f.origin.commit("v1", workload());
        f.start();
        assertThat(f.converge().phase()).isEqualTo(Phase.SYNCED);
        f.agent.close();
        apt.markInstalled("mosquitto-new", "x"); // unrelated: proves nothing is installed on restart
        Instant restart = clock.advance(Duration.ofMinutes(1));
        int installs = installs();

        f.start();
        f.agent.tickNow();

        assertThat(packages(status())).containsExactly(
                "mosquitto apt installed 2.0.11-1 " + restart + " null",
                "curl apt installed " + FakeManagers.INSTALLED_VERSION + " " + restart + " null",
                "gateway-bin artifact installed " + GATEWAY_SHA.substring(0, 12) + " " + restart + " gateway-1.4.tar.gz in "
                        + f.root.resolve("opt/gateway").toAbsolutePath().normalize());
        assertThat(installs()).isEqualTo(installs);
    }

    @Test
    void realDpkg_isInstalledWithTheVersionDpkgReports() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/dpkg-query")) && Files.isExecutable(Path.of("/usr/bin/apt-get")),
                "not a Debian build machine");
        Process dpkg = new ProcessBuilder("/usr/bin/dpkg-query", "-W", "-f", "${Version}", "dpkg").start();
        String version = new String(dpkg.getInputStream().readAllBytes()).strip();
        assertThat(dpkg.waitFor()).isZero();
        // the device's own apt: dpkg is installed wherever dpkg-query is, so only the read-only query runs
        f.machine = new Agent.Machine(clock, SystemPackages.onDevice());
        Map<String, String> files = workload();
        files.put("workloads/app/workload.yaml", "apiVersion: voltis/v1\npackages:\n  - {name: dpkg, manager: apt}\n");
        f.origin.commit("v1", files);
        f.start();

        assertThat(f.converge().phase()).isEqualTo(Phase.SYNCED);

        assertThat(packages(status())).containsExactly("dpkg apt installed " + version + " " + T0 + " null");
    }

    int installs() throws Exception {
        return (int) apt.calls().stream().filter(c -> c.startsWith("apt-get install")).count();
    }

    /** The body against the document's Status schema, which forbids properties it does not name. */
    static List<com.networknt.schema.Error> schemaErrors(JsonNode body) throws Exception {
        JsonNode doc = YAMLMapper.builder().build().readTree(Files.readString(OpenApiTest.DOC));
        ObjectNode root = JsonMapper.builder().build().createObjectNode();
        root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        root.set("$defs", doc.get("components").get("schemas"));
        root.put("$ref", "#/components/schemas/Status");
        String text = root.toString().replace("#/components/schemas/", "#/$defs/");
        return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                .getSchema(JsonMapper.builder().build().readTree(text)).validate(body);
    }
}
