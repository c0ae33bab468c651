package io.voltis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.voltis.sync.testing.TestRepo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the footprint work promises (decisions 0035, 0036), with the shaded jar in real JVMs: the
 * hidden {@code training} command is a run a class-data archive can be made from, the archive it
 * makes is one a JVM then loads the agent's classes from, and it leaves nothing behind; a daemon
 * does not create the JVM's JMX server unless asked to.
 */
class FootprintJarIT {

    private static final Path JAR = Fixtures.projectRoot().resolve("cli/target/voltis-agent.jar");
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    /** The class the platform MBean server is made of: loaded only when that server is created. */
    private static final String MBEAN_SERVER_CLASS = "com.sun.jmx.mbeanserver.JmxMBeanServer ";
    private static final String HTTP_CLIENT_CLASS = "jdk.internal.net.http.HttpClientImpl ";
    private static final String MAIL_SESSION_CLASS = "jakarta.mail.Session ";
    /** A webhook and a mail target on ports nothing listens on: nothing is delivered while idle. */
    private static final String NOTIFY = "[{\"name\": \"ops\", \"webhook\": \"http://127.0.0.1:9/hooks\"},"
            + " {\"name\": \"mail\", \"smtp\": \"smtp://127.0.0.1:9\", \"from\": \"voltis@example.com\","
            + " \"to\": [\"ops@example.com\"]}]";

    @TempDir
    Path tmp;

    @Test
    void theTrainingRunMakesAnArchiveTheAgentsClassesLoadFrom() throws Exception {
        Path temp = Files.createDirectories(tmp.resolve("temp"));
        Path archive = tmp.resolve("voltis-agent.jsa");
        Path device = tmp.resolve("device");

        // first run: makes the throwaway device, its repo and its store, and keeps them (--dir)
        Result first = java(List.of("-Djava.io.tmpdir=" + temp), "training", "--dir", device.toString());
        assertThat(first.exit).as(first.output).isZero();
        assertThat(first.output).contains("training: the agent ran until Synced and stopped with exit 0")
                .contains("Applied").contains("schema of");
        assertThat(device.resolve("root/etc/training/greeting.txt")).hasContent("greeting=hello");

        // second run, recorded: a restart of that device; the store is not migrated again
        Result second = java(List.of("-XX:ArchiveClassesAtExit=" + archive, "-Djava.io.tmpdir=" + temp),
                "training", "--dir", device.toString());
        assertThat(second.exit).as(second.output).isZero();
        assertThat(second.output).contains("training: the agent ran until Synced and stopped with exit 0")
                .doesNotContain("migrated to version");
        assertThat(archive).isNotEmptyFile();
        assertThat(second.output).as("its service stopped with the agent").contains("stopping 1 service(s): the agent stops");

        // a JVM started with the archive takes the agent's classes from it (-Xshare:on fails when it cannot)
        Result version = java(List.of("-XX:SharedArchiveFile=" + archive, "-Xshare:on", "-Xlog:class+load=info"), "version");
        assertThat(version.exit).as(version.output).isZero();
        assertThat(version.output).containsPattern("io\\.voltis\\.cli\\.Main source: shared objects file \\(top\\)");

        // without --dir it works in a temporary folder and deletes it
        Result throwaway = java(List.of("-Djava.io.tmpdir=" + temp), "training");
        assertThat(throwaway.exit).as(throwaway.output).isZero();
        try (Stream<Path> left = Files.list(temp)) {
            assertThat(left).as("left in the temp folder").isEmpty();
        }
    }

    /**
     * An idle daemon with notification targets configured loads neither Java's HTTP client (the
     * webhook's) nor a mail session until it has something to deliver, and no JMX server unless asked.
     */
    @Test
    void anIdleDaemonLoadsNoJmxServerAndNoDeliveryClientsUntilUsed() throws Exception {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"));
        repo.commit("quiet", java.util.Map.of("devices/jmx-1.yaml", "workload: quiet\n",
                "workloads/quiet/files/a.txt", "a\n",
                "workloads/quiet/workload.yaml", "apiVersion: voltis/v1\nfiles:\n  - {source: files/a.txt, target: etc/a.txt}\n"));

        // a device identity, as the .deb makes one: checked at start, its crypto loaded only for a secret
        Path state = Files.createDirectories(tmp.resolve("plain/state"));
        Files.setPosixFilePermissions(state, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        io.voltis.sync.testing.AgeCli.keygen(state.resolve("identity.txt"));
        String loaded = untilReady(repo, "plain", List.of());
        assertThat(loaded).contains("io.undertow.Undertow ", "io.voltis.agent.notify.WebhookDelivery ",
                "io.voltis.agent.notify.SmtpDelivery ").doesNotContain(MBEAN_SERVER_CLASS, HTTP_CLIENT_CLASS, MAIL_SESSION_CLASS,
                "org.eclipse.paho.", "io.voltis.agent.hints.MqttHints ", "com.exceptionfactory.jagged.");

        String asked = untilReady(repo, "asked", List.of("-Dvoltis.jmx=true"));
        assertThat(asked).contains(MBEAN_SERVER_CLASS);
    }

    /** Runs the daemon until its status API answers, stops it, and returns the classes it loaded. */
    private String untilReady(TestRepo repo, String name, List<String> flags) throws Exception {
        Path state = tmp.resolve(name + "/state");
        Path log = tmp.resolve(name + ".log");
        List<String> command = new ArrayList<>(List.of(JAVA, "-Xlog:class+load=info"));
        command.addAll(flags);
        command.addAll(List.of("-jar", JAR.toString(), "run", "--repo", repo.dir().toUri().toString(), "--hostname", "jmx-1",
                "--runtime", "process", "--state-dir", state.toString(), "--root", tmp.resolve(name + "/root").toString(),
                "--listen", "127.0.0.1:0", "--interval", "1s"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("VOLTIS_NOTIFY", NOTIFY);
        Process daemon = builder.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (!Files.readString(log, StandardCharsets.UTF_8).contains("status API on http")) {
                assertThat(daemon.isAlive()).as("the daemon runs: %s", log).isTrue();
                assertThat(System.nanoTime()).as("the status API within 90 s").isLessThan(deadline);
                Thread.sleep(100);
            }
            Thread.sleep(1000); // the first poll and tick, after the API started
        } finally {
            daemon.destroy();
            daemon.waitFor(60, TimeUnit.SECONDS);
        }
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    private record Result(int exit, String output) {
    }

    private Result java(List<String> flags, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(JAVA));
        command.addAll(flags);
        command.addAll(List.of("-jar", JAR.toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(tmp, "java", ".out");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("java " + String.join(" ", args) + " did not end within 120 s: "
                    + Files.readString(out, StandardCharsets.UTF_8));
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    }
}
