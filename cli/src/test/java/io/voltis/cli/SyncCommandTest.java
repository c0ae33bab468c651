package io.voltis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.voltis.agent.Agent;
import io.voltis.agent.config.AgentConfig;
import io.voltis.sync.PollSchedule;
import io.voltis.sync.testing.SlotHosts;
import io.voltis.sync.testing.TestRepo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code voltis-agent sync} against a real daemon polling once an hour, and with none. */
class SyncCommandTest {

    static final Duration HOUR = Duration.ofHours(1);

    @TempDir
    Path tmp;

    @Test
    void sync_makesTheDaemonPollNow_andSaysWhatItFound() throws Exception {
        String host = SlotHosts.farFromItsSlot(HOUR, Duration.ofMinutes(10));
        try (TestRepo origin = TestRepo.create(tmp.resolve("origin.git"))) {
            String v1 = origin.commit("v1", SlotHosts.oneFileDevice(host, "one"));
            AgentConfig config = new AgentConfig(origin.fileUrl(), "main", "", host, HOUR, Duration.ofSeconds(1),
                    tmp.resolve("state"), tmp.resolve("root"), AgentConfig.Runtime.PROCESS, "127.0.0.1:0", null, false,
                    null, null, null, null, 2, 10, Duration.ofSeconds(2));
            try (Agent agent = Agent.start(config, Map.of("PATH", System.getenv("PATH")))) {
                Cli r = Cli.run("sync", "--state-dir", tmp.resolve("state").toString());

                assertThat(r.exitCode()).as(r.err()).isZero();
                assertThat(r.out()).startsWith("sync: the agent polls now\n");
                assertThat(r.out()).contains("sync: " + origin.fileUrl() + " (main) is at " + v1.substring(0, 12) + "; ");
                // the poll fetched v1; the tick that follows applies it
                long deadline = System.nanoTime() + 20_000_000_000L;
                while (!v1.equals(agent.status().appliedRevision()) && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                assertThat(Files.readString(tmp.resolve("root/etc/app.conf"))).isEqualTo("greeting=one\n");

                Cli again = Cli.run("sync", "--state-dir", tmp.resolve("state").toString(), "--no-wait");
                assertThat(again.exitCode()).as(again.err()).isZero();
                assertThat(again.out()).matches("sync: (the agent polls|joined the poll already asked for,) in \\d+s\n");
            }
        }
    }

    @Test
    void status_showsTheBrokerSubscription_andWhyItIsDown() throws Exception {
        String host = SlotHosts.farFromItsSlot(HOUR, Duration.ofMinutes(10));
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closed = s.getLocalPort(); // nothing listens there once closed: the broker is down
        }
        try (TestRepo origin = TestRepo.create(tmp.resolve("origin.git"))) {
            origin.commit("v1", SlotHosts.oneFileDevice(host, "one"));
            AgentConfig config = new AgentConfig(origin.fileUrl(), "main", "", host, HOUR, Duration.ofSeconds(1),
                    tmp.resolve("state"), tmp.resolve("root"), AgentConfig.Runtime.PROCESS, "127.0.0.1:0", null, false,
                    null, null, null, null, 2, 10, Duration.ofSeconds(2))
                    .withHints(new io.voltis.agent.hints.HintSettings("tcp://127.0.0.1:" + closed,
                            java.util.List.of("voltis/" + host + "/sync", "voltis/all/sync"), null, null, null, Duration.ofSeconds(30)));
            try (Agent agent = Agent.start(config, Map.of("PATH", System.getenv("PATH")))) {
                long deadline = System.nanoTime() + 20_000_000_000L;
                while (agent.status().hints().get(0).error() == null && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                Thread.sleep(1200); // the status API serves the tick's snapshot
                Cli r = Cli.run("status", "--state-dir", tmp.resolve("state").toString());

                assertThat(r.exitCode()).as(r.err()).isZero();
                assertThat(r.out()).contains("HINTS").contains("tcp://127.0.0.1:" + closed)
                        .contains("voltis/" + host + "/sync voltis/all/sync").contains("cannot connect");
                Cli json = Cli.run("status", "-o", "json", "--state-dir", tmp.resolve("state").toString());
                var hints = Json.read(json.out()).path("hints");
                assertThat(hints.size()).isEqualTo(1);
                assertThat(hints.get(0).path("connected").asBoolean()).isFalse();
                assertThat(hints.get(0).path("delay").asString()).isEqualTo(
                        io.voltis.agent.hints.MqttHints.pretty(PollSchedule.hintDelay(host, Duration.ofSeconds(30))));
            }
        }
    }

    @Test
    void sync_withNoDaemon_failsWithOneLine() {
        Cli r = Cli.run("sync", "--state-dir", tmp.resolve("state").toString());

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("sync: no agent runs for the state directory " + tmp.resolve("state")
                + ": nothing to ask (start it, or poll and apply once with voltis-agent run --once)\n");
    }

    @Test
    void sync_badTimeout_isBadUsage() {
        Cli r = Cli.run("sync", "--state-dir", tmp.resolve("state").toString(), "--timeout", "soon");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("voltis-agent: --timeout: 'soon' is not a duration");
    }
}
