package io.voltis.agent.runtime.process;

import io.voltis.sync.testing.MutableClock;

import static io.voltis.agent.runtime.process.Processes.alive;
import static io.voltis.agent.runtime.process.Processes.eventually;
import static io.voltis.agent.runtime.process.Processes.pidIn;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.voltis.agent.runtime.ServiceStatus;
import io.voltis.agent.runtime.ServiceStatus.Actual;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessRuntimeLifecycleTest extends RuntimeTest {

    @Test
    void startThenStopped_processRunsInItsOwnGroupThenIsGone() {
        runtime().apply(Definitions.sh("web", root, "echo $$ > pid; exec sleep 1000").build());

        long pid = pidIn(root.resolve("pid"));
        assertThat(alive(pid)).isTrue();
        assertThat(ProcessGroup.members(pid)).as("the service leads its own process group").contains(pid);
        ServiceStatus running = status("web");
        assertThat(running.actual()).isEqualTo(Actual.RUNNING);
        assertThat(running.desired()).isEqualTo("running");
        assertThat(running.restarts()).isZero();
        assertThat(running.healthy()).isNull();
        assertThat(running.message()).isEqualTo("running as pid " + pid);
        assertThat(runtime().names()).containsExactly("web");

        runtime().apply(Definitions.sh("web", root, "echo $$ > pid; exec sleep 1000").stopped().build());

        assertThat(alive(pid)).isFalse();
        ServiceStatus stopped = status("web");
        assertThat(stopped.actual()).isEqualTo(Actual.STOPPED);
        assertThat(stopped.desired()).isEqualTo("stopped");
        assertThat(stopped.degraded()).isFalse();
    }

    @Test
    void sinceIsWhenTheCurrentStateBegan_fromTheInjectedClock() {
        MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
        fixture = new RuntimeFixture(root, RuntimeFixture.FAST, clock, System.getenv());
        clock.set(Instant.parse("2025-01-01T10:00:00Z"));
        runtime().apply(Definitions.sh("web", root, "exec sleep 1000").build());
        assertThat(status("web").since()).isEqualTo(Instant.parse("2025-01-01T10:00:00Z"));

        clock.set(Instant.parse("2025-01-01T11:00:00Z"));
        runtime().apply(Definitions.sh("web", root, "exec sleep 1000").stopped().build());
        assertThat(status("web").since()).isEqualTo(Instant.parse("2025-01-01T11:00:00Z"));
    }

    @Test
    void environmentAndWorkingDir_areExactlyTheDefinitionsOverFourInheritedVariables() throws Exception {
        Map<String, String> agentEnv = new HashMap<>();
        agentEnv.put("PATH", System.getenv("PATH"));
        agentEnv.put("HOME", "/home/agent");
        agentEnv.put("LANG", "C.UTF-8");
        agentEnv.put("TZ", "UTC");
        agentEnv.put("SECRET_TOKEN", "hunter2");
        agentEnv.put("JAVA_HOME", "/usr/lib/jvm");
        fixture = new RuntimeFixture(root, RuntimeFixture.FAST, java.time.Clock.systemUTC(), agentEnv);
        Path work = Files.createDirectory(root.resolve("revision"));

        runtime().apply(Definitions.sh("env", work, "env > env.txt; pwd > pwd.txt; mv env.txt env.done; exec sleep 1000")
                .env(Map.of("GREETING", "hello world", "LANG", "de_DE.UTF-8", "VOLTIS_REVISION", "3f2a9c1")).build());

        eventually().until(() -> Files.exists(work.resolve("env.done")));
        Map<String, String> seen = Files.readAllLines(work.resolve("env.done")).stream()
                .map(line -> line.split("=", 2))
                .collect(Collectors.toMap(kv -> kv[0], kv -> kv.length > 1 ? kv[1] : ""));
        assertThat(seen).containsEntry("GREETING", "hello world")
                .containsEntry("LANG", "de_DE.UTF-8")
                .containsEntry("VOLTIS_REVISION", "3f2a9c1")
                .containsEntry("HOME", "/home/agent")
                .containsEntry("TZ", "UTC")
                .containsEntry("PATH", System.getenv("PATH"))
                .doesNotContainKeys("SECRET_TOKEN", "JAVA_HOME");
        assertThat(seen.get("VOLTIS_SERVICE_ID")).as("the mark that finds its processes").matches("[0-9a-f]{16}/service/env");
        Set<String> shellOwn = Set.of("PWD", "SHLVL", "OLDPWD", "_");
        assertThat(seen.keySet()).allMatch(key -> shellOwn.contains(key)
                || Arrays.asList("GREETING", "LANG", "VOLTIS_REVISION", "HOME", "TZ", "PATH", "VOLTIS_SERVICE_ID").contains(key));
        assertThat(Files.readString(work.resolve("pwd.txt")).trim()).isEqualTo(work.toRealPath().toString());
    }

    @Test
    void sameFingerprint_leavesTheProcessAlone() {
        runtime().apply(Definitions.sh("web", root, "echo $$ > pid; exec sleep 1000").build());
        long pid = pidIn(root.resolve("pid"));

        runtime().apply(Definitions.sh("web", root, "echo $$ > pid; exec sleep 1000").build());
        runtime().apply(Definitions.sh("web", root, "echo $$ > pid; exec sleep 1000").build());

        assertThat(alive(pid)).isTrue();
        assertThat(status("web").message()).isEqualTo("running as pid " + pid);
        assertThat(status("web").restarts()).isZero();
    }

    @Test
    void changedFingerprint_stopsTheOldProcessAndStartsANewOne() throws Exception {
        runtime().apply(Definitions.sh("web", root, "echo $$ > pid; exec sleep 1000").build());
        long first = pidIn(root.resolve("pid"));
        Files.delete(root.resolve("pid"));

        runtime().apply(Definitions.sh("web", root, "echo $$ > pid; exec sleep 1000").fingerprint("v2").build());

        long second = pidIn(root.resolve("pid"));
        assertThat(second).isNotEqualTo(first);
        assertThat(alive(first)).isFalse();
        assertThat(alive(second)).isTrue();
        assertThat(status("web").actual()).isEqualTo(Actual.RUNNING);
        assertThat(status("web").message()).isEqualTo("running as pid " + second);
    }

    @Test
    void stop_killsTheGrandchildrenTooThroughTheProcessGroup() {
        runtime().apply(Definitions.sh("forker", root, "sleep 1000 & echo $! > grandchild; sleep 1000").build());
        long grandchild = pidIn(root.resolve("grandchild"));
        assertThat(alive(grandchild)).isTrue();

        runtime().remove("forker");

        assertThat(alive(grandchild)).as("grandchild %d after stop", grandchild).isFalse();
        assertThat(runtime().names()).isEmpty();
        assertThat(runtime().status("forker")).isEmpty();
    }

    @Test
    void aProcessIgnoringSigterm_isKilledAfterTheGracePeriod() {
        fixture = new RuntimeFixture(root, new ProcessRuntime.Settings(Duration.ofMillis(300), Duration.ofMillis(100),
                Duration.ofMillis(400), 64 * 1024, 3));
        runtime().apply(Definitions.sh("stubborn", root, "trap '' TERM; echo $$ > pid; sleep 1000").build());
        long pid = pidIn(root.resolve("pid"));

        runtime().apply(Definitions.sh("stubborn", root, "trap '' TERM; echo $$ > pid; sleep 1000").stopped().build());

        assertThat(alive(pid)).isFalse();
        ServiceStatus status = status("stubborn");
        assertThat(status.actual()).isEqualTo(Actual.STOPPED);
        assertThat(status.lastExitCode()).as("128 + SIGKILL").isEqualTo(137);
    }

    @Test
    void close_stopsEveryServiceAndEndsTheRuntimeThreads() {
        runtime().apply(Definitions.sh("a", root, "echo $$ > a.pid; exec sleep 1000").build());
        runtime().apply(Definitions.sh("b", root, "sleep 1000 & echo $! > b.pid; sleep 1000").build());
        long a = pidIn(root.resolve("a.pid"));
        long b = pidIn(root.resolve("b.pid"));
        assertThat(threadNames()).contains("voltis-svc-a-pump", "voltis-svc-b-pump");

        fixture.runtime.close();

        assertThat(alive(a)).isFalse();
        assertThat(alive(b)).isFalse();
        assertThat(runtime().statuses()).extracting(ServiceStatus::actual).containsOnly(Actual.STOPPED);
        assertThat(runtime().statuses()).extracting(ServiceStatus::message).containsOnly("stopped with the agent");
        eventually().untilAsserted(() -> assertThat(threadNames()).noneMatch(n -> n.startsWith("voltis-svc-")));
    }

    @Test
    void servicesLeftRunningByAKilledAgent_areStoppedWhenTheNextRuntimeStarts() {
        RuntimeFixture killed = new RuntimeFixture(root, RuntimeFixture.FAST);
        killed.runtime.apply(Definitions.sh("web", root, "sleep 1000 & echo $! > child; echo $$ > pid; exec sleep 1000")
                .build());
        long pid = pidIn(root.resolve("pid"));
        long child = pidIn(root.resolve("child"));
        killed.timer.shutdownNow(); // a killed agent restarts nothing

        fixture = new RuntimeFixture(root, RuntimeFixture.FAST);

        assertThat(alive(pid)).isFalse();
        assertThat(alive(child)).isFalse();
        assertThat(fixture.logDir.resolve("web.pid")).doesNotExist();
        killed.runtime.close();
    }

    @Test
    void aPidFileWhosePidWasReused_leavesThatProcessAlone() throws Exception {
        Process unrelated = new ProcessBuilder("sleep", "1000").start();
        try {
            Path logs = Files.createDirectories(root.resolve("logs"));
            Files.writeString(logs.resolve("web.pid"), unrelated.pid() + " 1\n");

            fixture = new RuntimeFixture(root, RuntimeFixture.FAST);

            assertThat(unrelated.isAlive()).isTrue();
            assertThat(logs.resolve("web.pid")).doesNotExist();
        } finally {
            unrelated.destroyForcibly();
        }
    }

    @Test
    void aRunningService_hasAPidFileNamingItsGroup() {
        runtime().apply(Definitions.sh("web", root, "echo $$ > pid; exec sleep 1000").build());
        long pid = pidIn(root.resolve("pid"));

        assertThat(Processes.read(fixture.logDir.resolve("web.pid"))).startsWith(pid + " ");
        runtime().remove("web");
        assertThat(fixture.logDir.resolve("web.pid")).doesNotExist();
    }

    private static Set<String> threadNames() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .collect(Collectors.toSet());
    }
}
