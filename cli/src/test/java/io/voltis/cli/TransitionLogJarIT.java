package io.voltis.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.voltis.sync.testing.TestRepo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What {@code journalctl -u voltis-agent} shows: the shaded jar in its own process, taken
 * through an apply, drift, a source failure and its recovery, a new revision whose job fails,
 * and quiet polls; its log has exactly one line per transition, with the reason word, and none
 * for quiet polls. With {@code --log-format json} every line is a JSON object whose fields
 * carry the event, reason and revision.
 */
class TransitionLogJarIT {

    private static final Path JAR = Fixtures.projectRoot().resolve("cli/target/voltis-agent.jar");
    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path tmp;

    private Process daemon;

    @AfterEach
    void tearDown() throws InterruptedException {
        if (daemon != null) {
            daemon.destroyForcibly();
            daemon.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void textLog_oneLinePerTransition_withTheReasonWord() throws Exception {
        Story story = play("text");
        List<String> lines = Files.readAllLines(tmp.resolve("agent.log"));

        assertThat(count(lines, "ApplyStarted " + story.v1)).isEqualTo(1);
        assertThat(count(lines, "Applied " + story.v1)).isEqualTo(1);
        assertThat(one(lines, "DriftCorrected " + story.v1)).contains("etc/x.conf");
        assertThat(one(lines, "SourceFailed ")).contains("WARN", "GitUnreachable: ");
        assertThat(one(lines, "SourceRecovered ")).contains("INFO", "after GitUnreachable", "failed poll");
        assertThat(one(lines, "RevisionSeen " + story.v2)).contains("break the migration");
        assertThat(count(lines, "ApplyStarted " + story.v2)).isEqualTo(1);
        assertThat(one(lines, "ApplyFailed " + story.v2)).contains("WARN", "JobFailed: jobs: job migrate failed (exit 3)");
        assertThat(one(lines, "Pinned " + story.v1)).contains("INFO", "from the cli");
        assertThat(lines).as("no stack trace, nothing per poll").noneMatch(l -> l.startsWith("\tat ") || l.contains("poll failed"));
    }

    @Test
    void jsonLog_everyLineIsAnObject_withEventReasonAndRevisionFields() throws Exception {
        Story story = play("json");
        List<String> lines = Files.readAllLines(tmp.resolve("agent.log"));
        assertThat(lines).isNotEmpty();

        List<JsonNode> entries = lines.stream().map(l -> JSON.readTree(l)).toList();
        assertThat(entries).allSatisfy(e -> assertThat(e.has("message") && e.has("level") && e.has("@timestamp")).isTrue());
        List<JsonNode> failed = entries.stream().filter(e -> e.path("event").asString("").equals("ApplyFailed")).toList();
        assertThat(failed).hasSize(1);
        assertThat(failed.get(0).get("reason").asString()).isEqualTo("JobFailed");
        assertThat(failed.get(0).get("revision").asString()).isEqualTo(story.v2full);
        assertThat(failed.get(0).get("level").asString()).isEqualTo("WARN");
        List<JsonNode> source = entries.stream().filter(e -> e.path("event").asString("").equals("SourceFailed")).toList();
        assertThat(source).hasSize(1);
        assertThat(source.get(0).get("reason").asString()).isEqualTo("GitUnreachable");
        assertThat(entries.stream().filter(e -> e.path("event").asString("").equals("SourceRecovered"))).hasSize(1);
        assertThat(entries.stream().filter(e -> e.path("event").asString("").equals("Pinned"))).hasSize(1);
    }

    private record Story(String v1, String v2, String v2full) {
    }

    /** Runs the daemon through the transitions, then stops it; its output is in agent.log. */
    private Story play(String format) throws Exception {
        Path originDir = tmp.resolve("origin.git");
        try (TestRepo origin = TestRepo.create(originDir)) {
            return play(format, origin, originDir);
        }
    }

    private Story play(String format, TestRepo origin, Path originDir) throws Exception {
        String v1 = origin.commit("first", workload("exit 0"));
        daemon = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                JAR.toString(), "run", "--repo", originDir.toUri().toString(), "--hostname", "dev",
                "--state-dir", tmp.resolve("state").toString(), "--root", tmp.resolve("root").toString(),
                "--runtime", "process", "--interval", "1s", "--reconcile-interval", "1s", "--listen", "127.0.0.1:0",
                "--log-format", format)
                .redirectErrorStream(true).redirectOutput(tmp.resolve("agent.log").toFile()).start();
        awaitLog("Applied");

        Files.writeString(tmp.resolve("root/etc/x.conf"), "changed by hand\n");
        awaitLog("DriftCorrected");

        Path away = tmp.resolve("origin.away");
        Files.move(originDir, away);
        awaitLog("SourceFailed");
        awaitLines(3); // quiet failing polls go by
        Files.move(away, originDir);
        awaitLog("SourceRecovered");

        String v2 = origin.commit("break the migration", workload("exit 3"));
        awaitLog("ApplyFailed");
        Process pin = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                JAR.toString(), "pin", v1, "--state-dir", tmp.resolve("state").toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("pin.out").toFile()).start();
        assertThat(pin.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(pin.exitValue()).as(Files.readString(tmp.resolve("pin.out"))).isZero();
        awaitLog("Pinned"); // recorded by the CLI, logged by the daemon when it sees the pin
        awaitLines(3); // quiet polls and ticks go by

        daemon.destroy();
        assertThat(daemon.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Story(v1.substring(0, 12), v2.substring(0, 12), v2);
    }

    private static Map<String, String> workload(String migration) {
        return Map.of(
                "devices/dev.yaml", "workload: w\n",
                "workloads/w/x.conf", "setting=1\n",
                "workloads/w/workload.yaml", "apiVersion: voltis/v1\n"
                        + "files:\n  - {source: x.conf, target: etc/x.conf}\n"
                        + "services:\n  - {name: app, command: [sh, -c, \"exec sleep 1000\"]}\n"
                        + "jobs:\n  - {name: migrate, run: [sh, -c, \"" + migration + "\"], when: per-revision}\n");
    }

    private void awaitLog(String text) {
        await().atMost(PATIENCE).until(() -> Files.readString(tmp.resolve("agent.log")).contains(text));
    }

    /** Waits for a few more seconds' worth of polls: the count of log lines is then checked, not the time. */
    private void awaitLines(int polls) throws InterruptedException {
        Thread.sleep(polls * 1000L + 500);
    }

    private static long count(List<String> lines, String text) {
        return lines.stream().filter(l -> l.contains(text)).count();
    }

    private static String one(List<String> lines, String text) {
        List<String> found = lines.stream().filter(l -> l.contains(text)).toList();
        assertThat(found).as("lines with '" + text + "'").hasSize(1);
        return found.get(0);
    }
}
