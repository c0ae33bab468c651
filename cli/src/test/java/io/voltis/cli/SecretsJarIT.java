package io.voltis.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.voltis.sync.testing.AgeCli;
import io.voltis.sync.testing.TestRepo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Secrets end to end with the shaded jar and the real {@code age}: each device makes its
 * identity with {@code voltis-agent identity}, the operator encrypts with {@code age} to one
 * device's recipient (and their own), and pushes. That device writes the plaintext 0600 and
 * its service gets the value in its environment; the other device keeps its last good
 * revision with the message that names the file and the fix. Then every place an operator or
 * an attacker with read access could look — the state directory (H2 files, archives, unpacked
 * revisions, service logs), the agent's log, every API response and {@code plan} — is searched
 * for the plaintext, and must not hold it.
 */
class SecretsJarIT {

    private static final Path JAR = Fixtures.projectRoot().resolve("cli/target/voltis-agent.jar");
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String FILE_V1 = "DB_PASSWORD=orchid-lantern-7731\n";
    private static final String FILE_V2 = "DB_PASSWORD=quartz-meadow-5512\n";
    private static final String VALUE_V1 = "tulip-harbor-0042";
    private static final String VALUE_V2 = "cobalt-willow-9981";
    private static final List<String> PLAINTEXTS = List.of("orchid-lantern", "quartz-meadow", VALUE_V1, VALUE_V2);

    @TempDir
    Path tmp;

    private Process daemon;
    private final List<String> outputs = new ArrayList<>();

    record Run(int code, String out, String err) {
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (daemon != null) {
            daemon.destroy();
            if (!daemon.waitFor(30, TimeUnit.SECONDS)) {
                daemon.destroyForcibly();
            }
        }
    }

    private Run cli(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString()));
        command.addAll(List.of(args));
        Path err = Files.createTempFile(tmp, "err", ".txt");
        Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        Run run = new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), Files.readString(err));
        outputs.add(run.out() + run.err());
        return run;
    }

    private Run once(TestRepo origin, String host) throws IOException, InterruptedException {
        return cli("run", "--once", "--repo", origin.fileUrl(), "--hostname", host, "--state-dir", state(host).toString(),
                "--root", root(host).toString(), "--runtime", "process", "--stop-grace", "3s");
    }

    private Path state(String host) {
        return tmp.resolve(host + "/state");
    }

    private Path root(String host) {
        return tmp.resolve(host + "/root");
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static final String WORKLOAD = "apiVersion: voltis/v1\n"
            + "files:\n"
            + "  - {source: hello.txt, target: etc/db/hello.txt}\n"
            + "  - {source: secrets/db.env.age, target: etc/db/db.env, decrypt: age}\n"
            + "  - {source: app.conf, target: etc/db/app.conf, template: true, mode: \"0640\"}\n"
            + "services:\n"
            + "  - name: app\n"
            + "    command: [sh, -c, 'test \"$1\" = \"$DB_PASSWORD\" && echo has-password; exec sleep 1000', app,"
            + " \"${secret.db_password}\"]\n"
            + "    env: {DB_PASSWORD: \"${secret.db_password}\"}\n";

    private static final String PLAIN_WORKLOAD = "apiVersion: voltis/v1\n"
            + "files:\n  - {source: hello.txt, target: etc/db/hello.txt}\n";

    private String commitSecrets(TestRepo origin, String message, String file, String value, String... recipients) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("workloads/db/workload.yaml", utf8(WORKLOAD));
        files.put("workloads/db/hello.txt", utf8(message + "\n"));
        files.put("workloads/db/app.conf", utf8("password=${secret.db_password}\n"));
        files.put("workloads/db/secrets/db.env.age", AgeCli.encrypt(utf8(file), recipients));
        files.put("workloads/db/secrets/pw.age", AgeCli.encryptArmored(utf8(value + "\n"), recipients));
        return origin.commitBytes(message, files);
    }

    @Test
    void encryptedToOneDevice_appliedThere_refusedElsewhere_andThePlaintextIsNowhereElse() throws Exception {
        Run identityA = cli("identity", "--state-dir", state("edge-a").toString());
        assertThat(identityA.code()).as(identityA.err()).isZero();
        String a = identityA.out().strip();
        assertThat(a).startsWith("age1").doesNotContain("\n");
        assertThat(identityA.err()).startsWith("created ");
        assertThat(cli("identity", "--state-dir", state("edge-a").toString()).out().strip()).isEqualTo(a);
        String b = cli("identity", "--state-dir", state("edge-b").toString()).out().strip();
        String operator = AgeCli.keygen(tmp.resolve("operator.txt"));

        TestRepo origin = TestRepo.create(tmp.resolve("origin.git"));
        String device = "workload: db\nsecrets: {db_password: secrets/pw.age}\n";
        String first = origin.commit("plain", Map.of("devices/edge-a.yaml", "workload: db\n", "devices/edge-b.yaml", "workload: db\n",
                "workloads/db/workload.yaml", PLAIN_WORKLOAD, "workloads/db/hello.txt", "plain\n"));
        assertThat(once(origin, "edge-a").code()).isZero();
        assertThat(once(origin, "edge-b").code()).isZero();
        origin.commit("devices use a secret", Map.of("devices/edge-a.yaml", device, "devices/edge-b.yaml", device));
        String v1 = commitSecrets(origin, "secrets v1", FILE_V1, VALUE_V1, a, operator);

        // the device it is encrypted to: plaintext 0600, the template 0640, the value in the service's env
        Run applyA = once(origin, "edge-a");
        assertThat(applyA.code()).as(applyA.out() + applyA.err()).isZero();
        assertThat(Files.readString(root("edge-a").resolve("etc/db/db.env"))).isEqualTo(FILE_V1);
        assertThat(mode(root("edge-a").resolve("etc/db/db.env"))).isEqualTo("rw-------");
        assertThat(Files.readString(root("edge-a").resolve("etc/db/app.conf"))).isEqualTo("password=" + VALUE_V1 + "\n");
        assertThat(mode(root("edge-a").resolve("etc/db/app.conf"))).isEqualTo("rw-r-----");
        try (Stream<Path> logs = Files.walk(state("edge-a"))) {
            assertThat(logs.filter(p -> p.toString().contains("app") && p.toString().endsWith(".log")).map(SecretsJarIT::read)
                    .anyMatch(s -> s.contains("has-password"))).as("the service got the value in its env and argument").isTrue();
        }

        // the device it is not encrypted to: keeps its last good revision, says which file and how to fix it
        Run applyB = once(origin, "edge-b");
        assertThat(applyB.code()).isNotZero();
        String want = "workloads/db/secrets/pw.age: not encrypted to this device (" + b + "); add it as a recipient and re-encrypt";
        assertThat(applyB.out() + applyB.err()).contains(want);
        assertThat(root("edge-b").resolve("etc/db/hello.txt")).hasContent("plain");
        assertThat(root("edge-b").resolve("etc/db/db.env")).doesNotExist();
        JsonNode statusB = JSON.readTree(cli("status", "-o", "json", "--state-dir", state("edge-b").toString()).out());
        assertThat(statusB.get("appliedRevision").asString()).isEqualTo(first);
        assertThat(statusB.toString()).contains(want);

        // a new value: plan back to v1 says "(secret, changed)" and shows neither value
        String v2 = commitSecrets(origin, "secrets v2", FILE_V2, VALUE_V2, a, operator);
        assertThat(once(origin, "edge-a").code()).isZero();
        assertThat(Files.readString(root("edge-a").resolve("etc/db/db.env"))).isEqualTo(FILE_V2);
        Run plan = cli("plan", v1, "--state-dir", state("edge-a").toString(), "--root", root("edge-a").toString(),
                "--hostname", "edge-a", "--repo", origin.fileUrl());
        assertThat(plan.code()).as(plan.err()).isIn(0, 3);
        assertThat(plan.out()).contains("(secret, changed)").contains("etc/db/db.env").contains("etc/db/app.conf");
        Run planJson = cli("plan", v1, "-o", "json", "--state-dir", state("edge-a").toString(), "--root",
                root("edge-a").toString(), "--hostname", "edge-a", "--repo", origin.fileUrl());
        assertThat(planJson.out()).contains("(secret, changed)").contains("(arguments not shown: the service uses a secret)");

        // the API, from a daemon running v2
        int port = freePort();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString(), "run", "--repo", origin.fileUrl(), "--hostname", "edge-a", "--state-dir",
                state("edge-a").toString(), "--root", root("edge-a").toString(), "--runtime", "process", "--interval", "1s",
                "--reconcile-interval", "1s", "--stop-grace", "3s", "--listen", "127.0.0.1:" + port));
        daemon = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(tmp.resolve("daemon.log").toFile()).start();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> get(http, port, "/api/v1/status").contains("\"appliedRevision\" : \"" + v2));
        List<String> responses = new ArrayList<>();
        for (String path : List.of("/api/v1/status", "/api/v1/revisions", "/api/v1/revisions/" + v2, "/api/v1/revisions/" + v1,
                "/api/v1/events?limit=1000", "/api/v1/services/app/logs?lines=1000", "/metrics", "/")) {
            responses.add(get(http, port, path));
        }
        assertThat(responses.get(0)).contains("\"phase\" : \"Synced\"");
        daemon.destroy();
        assertThat(daemon.waitFor(30, TimeUnit.SECONDS)).isTrue();
        outputs.add(Files.readString(tmp.resolve("daemon.log")));

        for (String plaintext : PLAINTEXTS) {
            assertThat(responses).as("API responses").noneMatch(r -> r.contains(plaintext));
            assertThat(outputs).as("CLI output and agent logs").noneMatch(o -> o.contains(plaintext));
            assertThat(grep(state("edge-a"), plaintext)).as("state directory of edge-a").isEmpty();
            assertThat(grep(state("edge-b"), plaintext)).as("state directory of edge-b").isEmpty();
        }
        // the search can find: the targets do hold the plaintext
        assertThat(grep(root("edge-a"), "quartz-meadow")).isNotEmpty();
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "";
        }
    }

    /** The regular files under {@code dir} whose bytes contain {@code text}, as grep -r would list them. */
    private static List<Path> grep(Path dir, String text) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).filter(f -> read(f).contains(text)).toList();
        }
    }

    private static String get(HttpClient http, int port, String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + " " + r.body();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
