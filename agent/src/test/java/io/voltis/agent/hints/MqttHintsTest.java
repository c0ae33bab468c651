package io.voltis.agent.hints;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.voltis.agent.Agent;
import io.voltis.agent.config.AgentConfig;
import io.voltis.agent.reconcile.AgentStatus;
import io.voltis.sync.PollSchedule;
import io.voltis.sync.testing.TestRepo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The daemon's MQTT subscription against a real Mosquitto broker: a hint on the device's topic or
 * the fleet's makes it poll after its own delay within hint-spread, and the push is applied; other
 * devices' topics are ignored; a flood is one poll; a broker down at start, gone mid-run or
 * refusing the credentials leaves polling as it was, says why in status and the log, and is
 * reconnected to by itself.
 */
class MqttHintsTest {

    static final Duration HOUR = Duration.ofHours(1);
    static final Duration SPREAD = Duration.ofSeconds(2);

    @TempDir
    Path tmp;
    TestRepo origin;
    String host;
    Agent agent;
    ListAppender<ILoggingEvent> log;
    ch.qos.logback.classic.Level level;

    @BeforeEach
    void setUp() {
        Mosquitto.assumeInstalled();
        origin = TestRepo.create(tmp.resolve("origin.git"));
        host = farHost();
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        log = new ListAppender<>();
        log.setContext(ctx);
        log.start();
        ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(log);
        level = ctx.getLogger("io.voltis").getLevel();
        ctx.getLogger("io.voltis").setLevel(ch.qos.logback.classic.Level.INFO); // what the daemon logs
    }

    @AfterEach
    void tearDown() {
        if (agent != null) {
            agent.close();
        }
        origin.close();
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).detachAppender(log);
        ctx.getLogger("io.voltis").setLevel(level);
    }

    static String farHost() {
        return io.voltis.sync.testing.SlotHosts.farFromItsSlot(HOUR, Duration.ofMinutes(10));
    }

    Map<String, String> device(String greeting) {
        return io.voltis.sync.testing.SlotHosts.oneFileDevice(host, greeting);
    }

    Agent start(Duration interval, HintSettings hints) throws Exception {
        AgentConfig config = new AgentConfig(origin.fileUrl(), "main", "", host, interval, Duration.ofSeconds(1),
                tmp.resolve("state"), tmp.resolve("root"), AgentConfig.Runtime.PROCESS, "127.0.0.1:0", null, false, null,
                null, null, null, 2, 10, Duration.ofSeconds(2)).withHints(hints);
        agent = Agent.start(config, Map.of("PATH", System.getenv("PATH")));
        return agent;
    }

    HintSettings mqtt(String url) {
        return new HintSettings(url, List.of(HintSettings.defaultTopic(host), HintSettings.FLEET_TOPIC), null, null, null, SPREAD);
    }

    HintStatus hints() {
        AgentStatus s = agent.status();
        assertThat(s.hints()).hasSize(1);
        return s.hints().get(0);
    }

    String applied() {
        return agent.status().appliedRevision();
    }

    Instant lastPoll() {
        var src = agent.status().source();
        return src == null ? null : src.lastPollAt();
    }

    String conf() throws Exception {
        return Files.readString(tmp.resolve("root/etc/app.conf"));
    }

    List<String> lines() {
        return log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void aHintOnTheDevicesTopicOrTheFleets_appliesThePush_afterThisHostsDelay() throws Exception {
        try (Mosquitto broker = Mosquitto.started(tmp.resolve("broker"))) {
            String v1 = origin.commit("v1", device("one"));
            start(HOUR, mqtt(broker.url()));
            await().atMost(Duration.ofSeconds(20)).until(() -> hints().connected());
            assertThat(hints().address()).isEqualTo(broker.url());
            assertThat(hints().topics()).containsExactly("voltis/" + host + "/sync", "voltis/all/sync");

            broker.publish("voltis/" + host + "/sync");
            await().atMost(SPREAD.plusSeconds(15)).until(() -> v1.equals(applied()));
            assertThat(conf()).isEqualTo("greeting=one\n");

            Duration delay = PollSchedule.hintDelay(host, SPREAD);
            assertThat(hints().delay()).isEqualTo(MqttHints.pretty(delay));
            Thread.sleep(5200); // past the least gap between hinted polls
            String v2 = origin.commit("v2", device("two"));
            long sent = System.nanoTime();
            broker.publish("voltis/all/sync");
            await().atMost(SPREAD.plusSeconds(15)).pollInterval(Duration.ofMillis(50)).until(() -> v2.equals(applied()));
            long tookMs = (System.nanoTime() - sent) / 1_000_000;
            assertThat(tookMs).as("the poll waited this host's delay").isGreaterThanOrEqualTo(delay.toMillis() - 100);
            assertThat(conf()).isEqualTo("greeting=two\n");
            assertThat(hints().received()).isEqualTo(2);
            assertThat(hints().lastHintAt()).isNotNull();
            assertThat(lines()).anySatisfy(l -> assertThat(l).startsWith("check-now hint from MQTT voltis/all/sync: polling"));
        }
    }

    @Test
    void aHintForAnotherDevice_isIgnored_andAFloodIsOnePoll() throws Exception {
        try (Mosquitto broker = Mosquitto.started(tmp.resolve("broker"))) {
            origin.commit("v1", device("one"));
            start(HOUR, mqtt(broker.url()));
            await().atMost(Duration.ofSeconds(20)).until(() -> hints().connected());
            agent.pollNow();
            Instant polled = lastPoll();

            broker.publish("voltis/edge-other/sync");
            broker.publish("voltis/" + host + "/sync/extra");
            Thread.sleep(SPREAD.toMillis() + 1500);
            assertThat(lastPoll()).as("no poll for another device's hint").isEqualTo(polled);
            assertThat(hints().received()).isZero();
            assertThat(lines()).noneSatisfy(l -> assertThat(l).startsWith("check-now hint from"));

            // 200 hints as fast as the broker sends them: one poll
            Process flood = new ProcessBuilder("mosquitto_pub", "-h", "127.0.0.1", "-p", String.valueOf(broker.port()),
                    "-q", "1", "-t", "voltis/" + host + "/sync", "-l").redirectErrorStream(true).start();
            try (var in = flood.getOutputStream()) {
                in.write("hint\n".repeat(200).getBytes());
            }
            assertThat(flood.waitFor(20, TimeUnit.SECONDS)).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> hints().received() == 200);
            await().atMost(SPREAD.plusSeconds(10)).until(() -> !polled.equals(lastPoll()));
            Thread.sleep(SyncHints.MIN_GAP.toMillis() + 1000);
            // one poll per window: the flood fits in one, or straddles two if the first poll came before its end
            long asked = lines().stream().filter(l -> l.startsWith("check-now hint from MQTT")).count();
            assertThat(asked).as("polls the 200 hints asked for").isBetween(1L, 2L);
            assertThat(hints().coalesced()).isEqualTo(200 - asked);
        }
    }

    @Test
    void brokerDownAtStart_pollingCarriesOn_andTheSubscriptionComesWhenItIsUp() throws Exception {
        Mosquitto broker = Mosquitto.on(tmp.resolve("broker"));
        try (broker) {
            origin.commit("v1", device("one"));
            start(Duration.ofSeconds(2), mqtt(broker.url()));
            await().atMost(Duration.ofSeconds(15)).until(() -> hints().error() != null);
            assertThat(hints().connected()).isFalse();
            assertThat(hints().error()).startsWith("cannot connect");
            assertThat(hints().errorSince()).isNotNull();
            Instant first = await().atMost(Duration.ofSeconds(10)).until(this::lastPoll, java.util.Objects::nonNull);
            await().atMost(Duration.ofSeconds(10)).until(() -> lastPoll().isAfter(first));
            assertThat(lines()).anySatisfy(l -> assertThat(l).contains("check-now hints: MQTT broker " + broker.url())
                    .contains("polling continues every interval, reconnecting with backoff"));

            broker.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> hints().connected());
            assertThat(hints().error()).isNull();
            // the status says connected a moment before the line is logged: wait for the line too
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(lines()).anySatisfy(l -> assertThat(l).startsWith("check-now hints: subscribed to")));
        }
    }

    @Test
    void brokerGoneMidRun_isSaid_andReconnectedTo_andHintsWorkAgain() throws Exception {
        try (Mosquitto broker = Mosquitto.started(tmp.resolve("broker"))) {
            origin.commit("v1", device("one"));
            start(HOUR, mqtt(broker.url()));
            await().atMost(Duration.ofSeconds(20)).until(() -> hints().connected());

            broker.stop();
            await().atMost(Duration.ofSeconds(20)).until(() -> !hints().connected());
            assertThat(hints().error()).startsWith("connection lost");

            broker.start();
            await().atMost(Duration.ofSeconds(40)).until(() -> hints().connected());
            String v1 = origin.head();
            broker.publish("voltis/" + host + "/sync");
            await().atMost(SPREAD.plusSeconds(15)).until(() -> v1.equals(applied()));
        }
    }

    @Test
    void wrongCredentials_areSaidInStatus_neverShown_andARightPasswordFileIsTakenOnTheNextTry() throws Exception {
        Path passwd = Mosquitto.passwordFile(tmp.resolve("broker"), "edge", "right-s3cret-value");
        try (Mosquitto broker = Mosquitto.started(tmp.resolve("broker"), "allow_anonymous false", "password_file " + passwd)) {
            origin.commit("v1", device("one"));
            Path secret = tmp.resolve("mqtt-password");
            Files.writeString(secret, "wrong-s3cret-value\n");
            Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
            start(HOUR, new HintSettings(broker.url(), List.of(HintSettings.defaultTopic(host), HintSettings.FLEET_TOPIC),
                    "edge", secret, null, SPREAD));
            await().atMost(Duration.ofSeconds(20)).until(() -> hints().error() != null);
            assertThat(hints().error()).isEqualTo("the broker refused the credentials (mqtt-username, mqtt-password-file)");

            Files.writeString(secret, "right-s3cret-value\n");
            await().atMost(Duration.ofSeconds(40)).until(() -> hints().connected());
            assertThat(agent.status().toString()).doesNotContain("s3cret");
            assertThat(lines()).noneSatisfy(l -> assertThat(l).contains("s3cret"));
            assertThat(lines()).anySatisfy(l -> assertThat(l).contains("refused the credentials"));
        }
    }

    /** A CA and a server certificate for 127.0.0.1, made by the real openssl. */
    static Path[] tls(Path dir) throws Exception {
        java.nio.file.Files.createDirectories(dir);
        Files.writeString(dir.resolve("san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
        String[][] steps = {
            {"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
                "-subj", "/CN=voltis test CA"},
            {"openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1"},
            {"openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", "server.pem", "-days", "2", "-extfile", "san.ext"},
        };
        for (String[] step : steps) {
            Process p = new ProcessBuilder(step).directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", step) + ": " + out);
            }
        }
        return new Path[] {dir.resolve("ca.pem"), dir.resolve("server.pem"), dir.resolve("server.key")};
    }

    @Test
    void anSslBroker_isTrustedThroughTheCaFile_andRefusedWithoutIt() throws Exception {
        Path[] pem = tls(tmp.resolve("tls"));
        try (Mosquitto broker = Mosquitto.started(tmp.resolve("broker"), "cafile " + pem[0], "certfile " + pem[1],
                "keyfile " + pem[2])) {
            String v1 = origin.commit("v1", device("one"));
            String url = "ssl://127.0.0.1:" + broker.port();
            List<String> topics = List.of(HintSettings.defaultTopic(host), HintSettings.FLEET_TOPIC);

            start(HOUR, new HintSettings(url, topics, null, null, null, SPREAD)); // the JVM's CAs: not this one
            await().atMost(Duration.ofSeconds(20)).until(() -> hints().error() != null);
            assertThat(hints().error()).startsWith("TLS: ");
            assertThat(hints().connected()).isFalse();
            agent.close();
            agent = null;

            start(HOUR, new HintSettings(url, topics, null, null, pem[0], SPREAD));
            await().atMost(Duration.ofSeconds(20)).until(() -> hints().connected());
            broker.publish("voltis/" + host + "/sync", "--cafile", pem[0].toString());
            await().atMost(SPREAD.plusSeconds(15)).until(() -> v1.equals(applied()));
        }
    }

    static String git(Path dir, Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("git", "-c", "user.name=ops", "-c", "user.email=ops@example.com"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", args) + ": " + out).isZero();
        return out;
    }

    @Test
    void thePostReceiveHookExample_tellsTheFleetOnAPush() throws Exception {
        Path hook = Path.of(System.getProperty("voltis.projectRoot"), "docs/examples/post-receive-mqtt");
        try (Mosquitto broker = Mosquitto.started(tmp.resolve("broker"))) {
            origin.commit("v1", device("one"));
            java.nio.file.Files.copy(hook, origin.dir().resolve("hooks/post-receive"));
            java.nio.file.Files.setPosixFilePermissions(origin.dir().resolve("hooks/post-receive"),
                    PosixFilePermissions.fromString("rwxr-xr-x"));
            start(HOUR, mqtt(broker.url()));
            await().atMost(Duration.ofSeconds(20)).until(() -> hints().connected());

            Map<String, String> env = Map.of("VOLTIS_MQTT_HOST", "127.0.0.1", "VOLTIS_MQTT_PORT", String.valueOf(broker.port()));
            Path work = tmp.resolve("work");
            git(tmp, env, "clone", "-q", origin.fileUrl(), work.toString());
            Files.writeString(work.resolve("workloads/app/files/app.conf"), "greeting=pushed\n");
            git(work, env, "commit", "-qam", "greeting: pushed");
            String pushed = git(work, env, "push", "origin", "main");
            assertThat(pushed).contains("voltis: devices told to poll (main)");
            String head = origin.head();

            await().atMost(SPREAD.plusSeconds(15)).until(() -> head.equals(applied()));
            assertThat(conf()).isEqualTo("greeting=pushed\n");
            assertThat(hints().received()).isEqualTo(1);

            // a broker that is down does not fail the push
            broker.stop();
            Files.writeString(work.resolve("workloads/app/files/app.conf"), "greeting=later\n");
            git(work, env, "commit", "-qam", "greeting: later");
            assertThat(git(work, env, "push", "origin", "main")).contains("could not reach the MQTT broker");
        }
    }
}
