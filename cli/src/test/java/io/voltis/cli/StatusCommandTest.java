package io.voltis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.voltis.agent.Agent;
import io.voltis.agent.config.AgentConfig;
import io.voltis.agent.packages.system.CommandRunner;
import io.voltis.agent.packages.system.SystemPackages;
import io.voltis.agent.reconcile.Phase;
import io.voltis.sync.testing.MutableClock;
import io.voltis.sync.testing.TestRepo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The packages part of {@code voltis-agent status}, from a real daemon in this JVM (its API
 * found through the state directory) and from the store once it has stopped. apt is FAKED: two
 * shell scripts named dpkg-query and apt-get, run as real processes, because a real install needs
 * root and the network and would change the build machine. mosquitto is installed, curl cannot be
 * installed, jq comes after it.
 */
class StatusCommandTest {

    static final java.time.Instant T0 = java.time.Instant.parse("2026-11-22T10:00:00Z");

    @TempDir
    Path tmp;

    TestRepo origin;
    Agent agent;
    Path state;
    Path config;

    @BeforeEach
    void start() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        script(bin.resolve("dpkg-query"), "for last; do :; done\n"
                + "[ \"$last\" = mosquitto ] && { printf 'install ok installed\\t2.0.11-1\\n'; exit 0; }\n"
                + "echo \"dpkg-query: no packages found matching $last\" >&2; exit 1\n");
        script(bin.resolve("apt-get"), "for last; do :; done\necho \"E: Unable to locate package $last\" >&2; exit 100\n");
        origin = TestRepo.create(tmp.resolve("origin.git"));
        origin.commit("v1", Map.of("devices/dev1.yaml", "workload: app\n",
                "workloads/app/workload.yaml", "apiVersion: voltis/v1\npackages:\n"
                        + "  - {name: mosquitto, manager: apt}\n  - {name: curl, manager: apt}\n  - {name: jq, manager: apt}\n"));
        state = tmp.resolve("state");
        config = Files.writeString(tmp.resolve("agent.yaml"), "");
        agent = Agent.start(new AgentConfig(origin.fileUrl(), "main", "", "dev1", Duration.ofMinutes(30),
                        Duration.ofMinutes(30), state, tmp.resolve("root"), AgentConfig.Runtime.PROCESS, "127.0.0.1:0", null,
                        false, null, null, null, null, 2, 10, Duration.ofSeconds(2)),
                Map.of("PATH", System.getenv("PATH"), "HOME", System.getProperty("user.home")),
                new Agent.Machine(new MutableClock(T0), new SystemPackages(CommandRunner.processes(), List.of(bin),
                        Duration.ofSeconds(30), Duration.ofSeconds(30))));
        agent.pollNow();
        assertThat(agent.tickNow().phase()).isEqualTo(Phase.FAILED);
    }

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
        origin.close();
    }

    static void script(Path file, String body) throws Exception {
        Files.writeString(file, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    Cli status(String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("status", "--config", config.toString(), "--state-dir",
                state.toString()));
        args.addAll(List.of(more));
        return Cli.run(args.toArray(String[]::new));
    }

    @Test
    void daemonRunning_tableHasOneLinePerPackage_withStateVersionCheckedAndWhy() {
        Cli r = status();

        assertThat(r.exitCode()).as(r.err()).isZero();
        List<String> lines = r.outLines();
        int header = lines.indexOf(lines.stream().filter(l -> l.startsWith("PACKAGE")).findFirst().orElseThrow());
        assertThat(lines.subList(header, header + 4)).containsExactly(
                "PACKAGE    MANAGER  STATE      VERSION   CHECKED               MESSAGE",
                "mosquitto  apt      installed  2.0.11-1  " + T0 + "  -",
                "curl       apt      failed     -         " + T0
                        + "  apt install failed: apt-get exited with code 100: E: Unable to locate package curl",
                "jq         apt      pending    -         -                     not checked: the apply stopped at curl");
        assertThat(lines).noneMatch(l -> l.startsWith("packages "));
    }

    @Test
    void daemonRunning_jsonHasTheApisPackages() {
        Cli r = status("-o", "json");

        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode packages = JsonMapper.builder().build().readTree(r.out()).path("packages");
        assertThat(packages.size()).isEqualTo(3);
        assertThat(packages.get(0).toString()).isEqualTo("{\"name\":\"mosquitto\",\"manager\":\"apt\",\"version\":\"2.0.11-1\","
                + "\"state\":\"installed\",\"message\":null,\"checkedAt\":\"" + T0 + "\"}");
        assertThat(packages.get(2).path("state").asString()).isEqualTo("pending");
    }

    @Test
    void daemonStopped_packagesAreUnknown_notEmpty() {
        agent.close();
        agent = null;

        Cli table = status();
        Cli json = status("-o", "json");

        assertThat(table.exitCode()).as(table.err()).isZero();
        assertThat(table.outLines()).anyMatch(l -> l.matches("packages +unknown: the agent checks them and is not running"))
                .noneMatch(l -> l.startsWith("PACKAGE"));
        JsonNode s = JsonMapper.builder().build().readTree(json.out());
        assertThat(s.path("daemon").asString()).isEqualTo("not running");
        assertThat(s.path("packages").isNull()).isTrue();
    }
}
