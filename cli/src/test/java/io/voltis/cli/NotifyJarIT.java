package io.voltis.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import com.sun.net.httpserver.HttpServer;
import io.voltis.sync.testing.TestRepo;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Notifications end to end with the shaded jar as the daemon: a real webhook receiver (the JDK's
 * HTTP server on loopback, checking the HMAC as a receiver would) and a real SMTP server
 * (GreenMail). A push that fails to apply is one signed POST with the reason, however often the
 * apply is retried; the fix is one recovery; a failed job is an email; a kill -9 during a delivery
 * loses nothing; bad notify settings are exit 2; {@code notify test} says what happened.
 */
class NotifyJarIT {

    private static final Path JAR = Fixtures.projectRoot().resolve("cli/target/voltis-agent.jar");
    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String SECRET = "whsec-7f3a9c";

    @TempDir
    Path tmp;

    private Process daemon;
    private HttpServer server;
    private GreenMail mail;
    private final List<JsonNode> posts = java.util.Collections.synchronizedList(new ArrayList<>());
    private final List<String> badSignatures = java.util.Collections.synchronizedList(new ArrayList<>());
    private volatile CountDownLatch hold;
    private volatile CountDownLatch arrived = new CountDownLatch(1);

    @BeforeEach
    void receivers() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.createContext("/hooks/T000/s3cr3t", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            arrived.countDown();
            CountDownLatch h = hold;
            if (h != null) {
                try {
                    h.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            String signature = exchange.getRequestHeaders().getFirst("X-Voltis-Signature");
            if (!hmac(body).equals(signature)) {
                badSignatures.add(String.valueOf(signature));
            }
            posts.add(JSON.readTree(body));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        mail = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        mail.start();
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (hold != null) {
            hold.countDown();
        }
        if (daemon != null) {
            daemon.destroy();
            if (!daemon.waitFor(30, TimeUnit.SECONDS)) {
                daemon.destroyForcibly();
            }
        }
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
        mail.stop();
    }

    private static String hmac(byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private String hookUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hooks/T000/s3cr3t";
    }

    private Path config(String webhookEvents) throws IOException {
        Path secret = tmp.resolve("webhook-secret");
        Files.writeString(secret, SECRET + "\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        Path config = tmp.resolve("agent.yaml");
        Files.writeString(config, "notify:\n"
                + "  - name: ops\n    webhook: " + hookUrl() + "\n    hmac-secret-file: " + secret + "\n"
                + "    events: " + webhookEvents + "\n"
                + "  - name: mail\n    smtp: smtp://127.0.0.1:" + mail.getSmtp().getPort() + "\n"
                + "    from: voltis@example.com\n    to: [ops@example.com]\n    events: [JobFailed]\n");
        return config;
    }

    private record Run(int code, String out, String err) {
    }

    private Run cli(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    private JsonNode status() {
        try {
            Run r = cli("status", "-o", "json", "--state-dir", tmp.resolve("state").toString());
            return r.code() == 0 ? JSON.readTree(r.out()) : JSON.createObjectNode();
        } catch (IOException e) {
            return JSON.createObjectNode();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return JSON.createObjectNode();
        }
    }

    private Process startDaemon(TestRepo origin, Path config, Path log) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString(), "run", "--config", config.toString(), "--repo", origin.fileUrl(), "--hostname", "dev1",
                "--state-dir", tmp.resolve("state").toString(), "--root", tmp.resolve("root").toString(),
                "--runtime", "process", "--interval", "1s", "--reconcile-interval", "1s", "--stop-grace", "3s",
                "--listen", "127.0.0.1:0"));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
    }

    private static Map<String, String> workload(String version, String extraFiles, String jobs) {
        return Map.of("devices/dev1.yaml", "workload: app\n",
                "workloads/app/files/version", version + "\n",
                "workloads/app/workload.yaml", "apiVersion: voltis/v1\n"
                        + "files:\n  - {source: files/version, target: etc/version}\n" + extraFiles
                        + jobs + "gate: {window: 0s}\n");
    }

    private static long count(String text, String needle) {
        return text.lines().filter(l -> l.contains(needle)).count();
    }

    @Test
    void aFailedApplyIsOneSignedPost_theFixOneRecovery_andAFailedJobAnEmail() throws Exception {
        TestRepo origin = TestRepo.create(tmp.resolve("origin.git"));
        String good = origin.commit("good", workload("1", "", ""));
        Files.createDirectories(tmp.resolve("root/etc/blocked/inside")); // a folder where v2 puts a file: its apply fails
        Path log = tmp.resolve("daemon.log");
        daemon = startDaemon(origin, config("[ApplyFailed, RolledBack, ServiceDegraded, SourceFailed]"), log);
        await().atMost(PATIENCE).until(() -> good.equals(status().path("appliedRevision").asString()));
        assertThat(status().path("notifications").get(0).path("address").asString())
                .isEqualTo("http://127.0.0.1:" + server.getAddress().getPort() + "/…");

        String bad = origin.commit("bad", Map.of("workloads/app/files/blocked", "x\n", "workloads/app/workload.yaml",
                "apiVersion: voltis/v1\nfiles:\n  - {source: files/version, target: etc/version}\n"
                        + "  - {source: files/blocked, target: etc/blocked}\ngate: {window: 0s}\n"));
        // the apply fails, and is tried again (5 s, then 10 s): still one notice
        await().atMost(PATIENCE).until(() -> count(Files.readString(log), "ApplyFailed " + bad.substring(0, 12)) >= 2);
        Thread.sleep(1000);
        assertThat(posts).hasSize(1);
        JsonNode failed = posts.get(0);
        assertThat(failed.path("kind").asString()).isEqualTo("ApplyFailed");
        assertThat(failed.path("reason").asString()).isEqualTo("FilesFailed");
        assertThat(failed.path("device").asString()).isEqualTo("dev1");
        assertThat(failed.path("workload").asString()).isEqualTo("app");
        assertThat(failed.path("revision").asString()).isEqualTo(bad);
        assertThat(failed.path("previousRevision").asString()).isEqualTo(good);
        assertThat(failed.path("message").asString()).contains("etc/blocked");
        assertThat(badSignatures).isEmpty();

        String fixed = origin.commit("fixed", workload("3", "", ""));
        await().atMost(PATIENCE).until(() -> posts.size() >= 2);
        Thread.sleep(2000);
        assertThat(posts).hasSize(2);
        JsonNode recovery = posts.get(1);
        assertThat(recovery.path("kind").asString()).isEqualTo("Applied");
        assertThat(recovery.path("recovery").asBoolean()).isTrue();
        assertThat(recovery.path("revision").asString()).isEqualTo(fixed);
        assertThat(recovery.path("id").asString()).isNotEqualTo(failed.path("id").asString());
        assertThat(badSignatures).isEmpty();

        String jobFails = origin.commit("job", workload("4", "", "jobs:\n  - {name: migrate, run: [sh, -c, \"echo"
                + " 'relation users does not exist' >&2; exit 3\"], when: per-revision}\n"));
        await().atMost(PATIENCE).until(() -> mail.getReceivedMessages().length >= 1);
        MimeMessage m = mail.getReceivedMessages()[0];
        assertThat(m.getSubject()).isEqualTo("[voltis] dev1: JobFailed " + jobFails.substring(0, 12) + " (JobFailed)");
        assertThat((String) m.getContent()).contains("migrate: failed, exit 3", "relation users does not exist");
        // the agent records the delivery once the server closed the conversation
        await().atMost(PATIENCE).until(() -> status().path("notifications").path(1).path("lastDeliveredAt").isString());
        assertThat(status().path("notifications")).hasSize(2);
        Run metrics = cli("status", "--state-dir", tmp.resolve("state").toString());
        assertThat(metrics.out()).contains("NOTIFY", "ops", "mail");
        assertThat(Files.readString(log)).doesNotContain("s3cr3t").doesNotContain(SECRET);
    }

    @Test
    void aKillDashNineDuringADelivery_losesNothing_theNoticeComesAgainWithItsId() throws Exception {
        TestRepo origin = TestRepo.create(tmp.resolve("origin.git"));
        String good = origin.commit("good", workload("1", "", ""));
        Path log = tmp.resolve("daemon.log");
        Path config = config("[ApplyFailed]");
        daemon = startDaemon(origin, config, log);
        await().atMost(PATIENCE).until(() -> good.equals(status().path("appliedRevision").asString()));
        hold = new CountDownLatch(1);
        Files.createDirectories(tmp.resolve("root/etc/blocked/inside"));
        String bad = origin.commit("bad", Map.of("workloads/app/files/blocked", "x\n", "workloads/app/workload.yaml",
                "apiVersion: voltis/v1\nfiles:\n  - {source: files/blocked, target: etc/blocked}\ngate: {window: 0s}\n"));
        assertThat(arrived.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("the POST reached the receiver").isTrue();
        daemon.destroyForcibly(); // mid-delivery: the receiver has the request, the agent never got an answer
        assertThat(daemon.waitFor(30, TimeUnit.SECONDS)).isTrue();
        hold.countDown();
        await().atMost(PATIENCE).until(() -> posts.size() == 1);
        hold = null;
        daemon = startDaemon(origin, config, log);
        await().atMost(PATIENCE).until(() -> posts.size() >= 2);
        Thread.sleep(3000);
        assertThat(posts).hasSize(2);
        assertThat(posts.get(1).path("id").asString()).as("at least once, the same id").isEqualTo(posts.get(0).path("id").asString());
        assertThat(posts.get(1).path("revision").asString()).isEqualTo(bad);
        assertThat(posts.get(1).path("time").asString()).isEqualTo(posts.get(0).path("time").asString());
    }

    @Test
    void badNotifySettingsAreExit2_andNotifyTestSaysWhatHappened() throws Exception {
        Path config = tmp.resolve("agent.yaml");
        Files.writeString(config, "notify:\n  - {name: ops, webhook: 'hooks.example.com/x'}\n");
        Run bad = cli("run", "--config", config.toString(), "--repo", "file:///nowhere", "--state-dir", tmp.resolve("s").toString());
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains(config + ": notify[0] (ops): webhook: 'hooks.example.com/x' is not a http/https URL with a host");

        Files.writeString(config, "notify:\n  - {name: ops, webhook: '" + hookUrl() + "', hmac-secret-file: " + tmp.resolve("nope")
                + "}\n");
        Run unreadable = cli("run", "--config", config.toString(), "--repo", "file:///nowhere", "--state-dir",
                tmp.resolve("s").toString());
        assertThat(unreadable.code()).isEqualTo(2);
        assertThat(unreadable.err()).contains("notify ops: hmac-secret-file " + tmp.resolve("nope") + " does not exist or is not readable");

        Path good = config("[ApplyFailed]");
        Run test = cli("notify", "test", "--config", good.toString(), "--state-dir", tmp.resolve("s").toString());
        assertThat(test.code()).as(test.err()).isZero();
        assertThat(test.out()).contains("sent a test notification to ops (webhook http://127.0.0.1:"
                + server.getAddress().getPort() + "/…)", "sent a test notification to mail");
        assertThat(posts).hasSize(1);
        assertThat(posts.get(0).path("kind").asString()).isEqualTo("Test");
        assertThat(badSignatures).isEmpty();
        assertThat(mail.getReceivedMessages()).hasSize(1);

        // the mail library loads only for an smtp target
        Path webhookOnly = tmp.resolve("webhook-only.yaml");
        Files.writeString(webhookOnly, Files.readString(good).substring(0, Files.readString(good).indexOf("  - name: mail")));
        Process verbose = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-verbose:class", "-jar", JAR.toString(), "notify", "test", "--config", webhookOnly.toString(), "--state-dir",
                tmp.resolve("s").toString()).redirectErrorStream(true).start();
        String classes = new String(verbose.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(verbose.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(classes).contains("sent a test notification to ops").contains("io.voltis.agent.notify.WebhookDelivery")
                .doesNotContain("jakarta.mail.");

        mail.stop();
        Run down = cli("notify", "test", "mail", "--config", good.toString(), "--state-dir", tmp.resolve("s").toString());
        assertThat(down.code()).isEqualTo(1);
        assertThat(down.err()).startsWith("notify test: mail: TargetUnreachable: smtp://127.0.0.1:");
        Run unknown = cli("notify", "test", "opz", "--config", good.toString(), "--state-dir", tmp.resolve("s").toString());
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).contains("no notification target named 'opz'");
    }
}
