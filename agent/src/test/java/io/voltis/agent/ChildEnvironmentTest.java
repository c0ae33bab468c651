package io.voltis.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.voltis.agent.runtime.process.ChildProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's own variables reach no child. Each way the agent starts a program is tried with
 * an agent environment holding secrets: real child processes (a shell script standing for apt
 * and systemctl, which cannot run here for real: they need root, a package database, systemd),
 * writing what they see. And the sources are read: every {@code new ProcessBuilder} clears its
 * environment first, so a launcher added later cannot inherit the agent's.
 */
class ChildEnvironmentTest {

    static final String TOKEN = "tok-5e1f-secret";
    static final Map<String, String> AGENT_ENV = Map.of("PATH", System.getenv("PATH"), "HOME", "/root", "LANG", "C.UTF-8",
            "VOLTIS_GIT_TOKEN", TOKEN, "VOLTIS_GIT_PASSWORD", TOKEN + "-pw", "AWS_SECRET_ACCESS_KEY", TOKEN + "-aws");

    @TempDir
    Path tmp;

    Path dumper(String name) throws IOException {
        Path script = tmp.resolve(name);
        Files.writeString(script, "#!/bin/sh\nenv > \"$0.env\"\necho done\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }

    static void assertClean(Path dump, String... expected) throws IOException {
        String env = Files.readString(dump);
        assertThat(env).doesNotContain(TOKEN).doesNotContain("VOLTIS_GIT").doesNotContain("AWS_SECRET")
                .contains("PATH=" + System.getenv("PATH"), "LANG=C.UTF-8").contains(expected);
    }

    @Test
    void packageManagerCommands_seeTheBaseAndTheDialectsVariablesOnly() throws Exception {
        Path apt = dumper("apt-get");

        var result = io.voltis.agent.packages.system.TestAccess.processRunner(AGENT_ENV)
                .run(List.of(apt.toString(), "install", "x"), Map.of("DEBIAN_FRONTEND", "noninteractive"), Duration.ofSeconds(10));

        assertThat(result.exitCode()).isZero();
        assertClean(Path.of(apt + ".env"), "DEBIAN_FRONTEND=noninteractive");
    }

    @Test
    void systemctlAndJournalctl_seeTheBaseAndTheirOwnVariablesOnly() throws Exception {
        Path systemctl = dumper("systemctl");

        var result = io.voltis.agent.runtime.systemd.TestAccess.run(systemctl, AGENT_ENV, List.of("daemon-reload"));

        assertThat(result.exitCode()).isZero();
        assertClean(Path.of(systemctl + ".env"), "SYSTEMD_COLORS=0", "TZ=UTC");
    }

    @Test
    void theOneHelper_killsTheWholeGroupOnTimeout_andKeepsOnlyTheLastOutput() throws Exception {
        Path pidFile = tmp.resolve("grandchild.pid");
        ChildProcess.Result r = ChildProcess.run(new ChildProcess.Request(List.of("sh", "-c",
                "sleep 300 & echo $! > " + pidFile + "; i=0; while [ $i -lt 5000 ]; do echo line-$i; i=$((i+1)); done; sleep 300"),
                tmp, ChildProcess.environment(AGENT_ENV, Map.of()), Duration.ofSeconds(2), 64, true, Duration.ofMillis(200)));

        assertThat(r.ending()).isEqualTo(ChildProcess.Ending.TIMED_OUT);
        assertThat(r.stdout()).endsWith("line-4999\n").hasSizeLessThanOrEqualTo(64);
        long grandchild = Long.parseLong(Files.readString(pidFile).strip());
        Thread.sleep(300);
        assertThat(running(grandchild)).as("what the program forked went with it").isFalse();
    }

    /** Alive and not a zombie (an orphan killed here may wait for a PID 1 that does not reap). */
    static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void everyProcessBuilderInTheAgent_startsFromAnEmptyEnvironment() throws IOException {
        List<String> offenders = new ArrayList<>();
        Path main = Path.of("src/main/java");
        try (Stream<Path> files = Files.walk(main)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String text = Files.readString(f);
                int builders = text.split("new ProcessBuilder\\(", -1).length - 1;
                int cleared = text.split("environment\\(\\)\\.clear\\(\\)", -1).length - 1;
                if (builders > cleared) {
                    offenders.add(main.relativize(f) + " (" + builders + " builders, " + cleared + " cleared)");
                }
            }
        }
        assertThat(offenders).as("launchers that inherit the agent's environment").isEmpty();
    }
}
