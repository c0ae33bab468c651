package io.voltis.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.voltis.sync.testing.GitHttpServer;
import io.voltis.sync.testing.TestRepo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An operator's session, every command a separate process of the shaded jar: a daemon follows
 * a repo served over smart HTTP; a push shows in {@code status}; {@code pin} holds the previous
 * revision within a tick; {@code rollback} works with the Git server gone; {@code unpin}
 * returns to the head. Outputs and exit codes asserted.
 */
class DeviceCommandsIT {

    private static final Path JAR = Fixtures.projectRoot().resolve("cli/target/voltis-agent.jar");
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    private Process daemon;

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

    static Map<String, String> workload(String greeting) {
        return Map.of("devices/dev1.yaml", "workload: app\nvars: {greeting: \"" + greeting + "\"}\n",
                "workloads/app/files/greeting.txt", "${greeting}\n",
                "workloads/app/workload.yaml", "apiVersion: voltis/v1\n"
                        + "files:\n  - {source: files/greeting.txt, target: etc/greeting.txt, template: true}\n"
                        + "services:\n  - {name: web, command: [sh, -c, \"echo serving $(cat $VOLTIS_ROOT/etc/greeting.txt); exec sleep 1000\"]}\n");
    }

    private List<String> java() {
        return new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString()));
    }

    private Run cli(String... args) throws IOException, InterruptedException {
        List<String> command = java();
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    private Run device(String... args) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--state-dir", tmp.resolve("state").toString()));
        return cli(all.toArray(String[]::new));
    }

    private JsonNode status() throws IOException, InterruptedException {
        Run r = device("status", "-o", "json");
        assertThat(r.code()).as(r.err()).isZero();
        return JSON.readTree(r.out());
    }

    /** For waiting: the status, or an empty object while it cannot be read yet. */
    private JsonNode statusSoon() {
        try {
            Run r = device("status", "-o", "json");
            return r.code() == 0 ? JSON.readTree(r.out()) : JSON.createObjectNode();
        } catch (IOException e) {
            return JSON.createObjectNode();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return JSON.createObjectNode();
        }
    }

    private String greeting() throws IOException {
        Path file = tmp.resolve("root/etc/greeting.txt");
        return Files.exists(file) ? Files.readString(file).strip() : "";
    }

    private void startDaemon(String url) throws IOException {
        List<String> command = java();
        command.addAll(List.of("run", "--repo", url, "--hostname", "dev1", "--state-dir", tmp.resolve("state").toString(),
                "--root", tmp.resolve("root").toString(), "--runtime", "process", "--interval", "1s",
                "--reconcile-interval", "1s", "--stop-grace", "3s", "--listen", "127.0.0.1:0"));
        daemon = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(tmp.resolve("daemon.log").toFile()).start();
    }

    @Test
    void pushPinRollbackWithTheServerGone_unpin() throws Exception {
        try (TestRepo origin = TestRepo.create(tmp.resolve("origin.git"));
             GitHttpServer git = GitHttpServer.open(origin)) {
            String v1 = origin.commit("v1", workload("one"));
            startDaemon(git.url());
            await().atMost(PATIENCE).ignoreExceptions().until(() -> v1.equals(statusSoon().path("appliedRevision").asString(null)));
            assertThat(greeting()).isEqualTo("one");

            // a push shows in status
            String v2 = origin.commit("v2", workload("two"));
            await().atMost(PATIENCE).ignoreExceptions().until(() -> v2.equals(statusSoon().path("appliedRevision").asString(null)));
            JsonNode s = status();
            assertThat(s.path("phase").asString()).isEqualTo("Synced");
            assertThat(s.path("daemon").asString()).isEqualTo("running");
            assertThat(s.path("source").path("url").asString()).isEqualTo(git.url());
            Run table = device("status");
            assertThat(table.code()).isZero();
            assertThat(table.out()).contains("phase      Synced").contains("applied    " + v2.substring(0, 12))
                    .contains("pin        none: follows the branch").containsPattern("web\\s+running\\s+running");

            // revisions lists both, the applied one marked
            Run revisions = device("revisions");
            assertThat(revisions.code()).isZero();
            assertThat(revisions.out().lines()).anyMatch(l -> l.startsWith("*") && l.contains(v2.substring(0, 12)) && l.endsWith("v2"));
            assertThat(revisions.out().lines()).anyMatch(l -> l.contains(v1.substring(0, 12)) && l.endsWith("v1"));

            // pin the previous revision by a short SHA: applied within a tick, and it holds
            Run pin = device("pin", v1.substring(0, 8));
            assertThat(pin.code()).as(pin.err()).isZero();
            assertThat(pin.out()).isEqualTo("pinned dev1 to " + v1.substring(0, 12) + " (from cli); the daemon applies it"
                    + " within 1 s; it holds until `voltis-agent unpin`\n");
            await().atMost(PATIENCE).ignoreExceptions().until(() -> greeting().equals("one"));
            s = status();
            assertThat(s.path("appliedRevision").asString()).isEqualTo(v1);
            assertThat(s.path("pin").path("revision").asString()).isEqualTo(v1);
            assertThat(s.path("pin").path("source").asString()).isEqualTo("cli");
            assertThat(s.path("summary").asString()).contains("pinned to " + v1.substring(0, 12) + " (cli)")
                    .contains("head is " + v2.substring(0, 12));

            // unpin: back to the head
            Run unpin = device("unpin");
            assertThat(unpin.code()).isZero();
            assertThat(unpin.out()).startsWith("unpinned dev1 (was " + v1.substring(0, 12) + "): it follows main again, head "
                    + v2.substring(0, 12));
            await().atMost(PATIENCE).ignoreExceptions().until(() -> greeting().equals("two"));

            // the Git server goes away; rollback needs none
            git.stop();
            await().atMost(PATIENCE).ignoreExceptions().until(() -> !statusSoon().path("source").path("reachable").asBoolean(true));
            Run rollback = device("rollback");
            assertThat(rollback.code()).as(rollback.err()).isZero();
            assertThat(rollback.out()).isEqualTo("rolling dev1 back from " + v2.substring(0, 12) + " to " + v1.substring(0, 12)
                    + " (pinned, from cli); the daemon applies it within 1 s; it holds until `voltis-agent unpin`\n");
            await().atMost(PATIENCE).ignoreExceptions().until(() -> greeting().equals("one"));
            s = status();
            assertThat(s.path("appliedRevision").asString()).isEqualTo(v1);
            assertThat(s.path("summary").asString()).contains("failing to fetch since");

            // the pin holds: polls (failing or not) do not undo it; unpin returns to the head, still offline
            Thread.sleep(3000);
            assertThat(greeting()).isEqualTo("one");
            assertThat(device("unpin").code()).isZero();
            await().atMost(PATIENCE).ignoreExceptions().until(() -> greeting().equals("two"));

            // logs through the daemon
            Run logs = device("logs", "web", "--lines", "5");
            assertThat(logs.code()).as(logs.err()).isZero();
            assertThat(logs.out()).contains("serving two");
            Run missing = device("logs", "nosuch");
            assertThat(missing.code()).isEqualTo(1);
            assertThat(missing.err()).isEqualTo("logs: no service 'nosuch' in the applied workload\n");
        }
    }

    @Test
    void rollbackWithTheMirrorDeletedAndTheServerGone_restoresFromTheStoresArchive() throws Exception {
        try (TestRepo origin = TestRepo.create(tmp.resolve("origin.git"));
             GitHttpServer git = GitHttpServer.open(origin)) {
            String v1 = origin.commit("v1", workload("one"));
            startDaemon(git.url());
            await().atMost(PATIENCE).ignoreExceptions().until(() -> v1.equals(statusSoon().path("appliedRevision").asString(null)));
            String v2 = origin.commit("v2", workload("two"));
            await().atMost(PATIENCE).ignoreExceptions().until(() -> greeting().equals("two"));
            daemon.destroy();
            assertThat(daemon.waitFor(30, TimeUnit.SECONDS)).isTrue();
            git.stop();
            Path mirror = tmp.resolve("state/mirror");
            try (var walk = Files.walk(mirror)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            assertThat(mirror).doesNotExist();

            Run rollback = device("rollback");
            assertThat(rollback.code()).as(rollback.err()).isZero();
            assertThat(rollback.out()).startsWith("rolling dev1 back from " + v2.substring(0, 12) + " to " + v1.substring(0, 12));
            startDaemon(git.url());

            await().atMost(PATIENCE).ignoreExceptions().until(() -> greeting().equals("one"));
            await().atMost(PATIENCE).ignoreExceptions().until(() -> statusSoon().path("phase").asString("").equals("Synced"));
            JsonNode s = status();
            assertThat(s.path("appliedRevision").asString()).isEqualTo(v1);
            assertThat(s.path("source").path("reachable").asBoolean(true)).isFalse();
            assertThat(s.path("services").get(0).path("actual").asString()).isEqualTo("running");
            Run logs = device("logs", "web", "--lines", "5");
            assertThat(logs.out()).contains("serving one");
        }
    }

    @Test
    void withTheDaemonStopped_statusRevisionsPinAndLogsReadTheStore() throws Exception {
        try (TestRepo origin = TestRepo.create(tmp.resolve("origin.git"))) {
            String v1 = origin.commit("v1", workload("one"));
            Run once = cli("run", "--once", "--repo", origin.fileUrl(), "--hostname", "dev1", "--state-dir",
                    tmp.resolve("state").toString(), "--root", tmp.resolve("root").toString(), "--runtime", "process");
            assertThat(once.code()).as(once.out() + once.err()).isZero();

            JsonNode s = status();
            assertThat(s.path("daemon").asString()).isEqualTo("not running");
            assertThat(s.path("appliedRevision").asString()).isEqualTo(v1);
            assertThat(s.path("summary").asString()).isEqualTo("the agent is not running; it last ran " + v1.substring(0, 12));

            Run nothing = device("rollback");
            assertThat(nothing.code()).isEqualTo(1);
            assertThat(nothing.err()).isEqualTo("rollback: nothing to roll back to: no revision older than "
                    + v1.substring(0, 12) + " was applied successfully on dev1\n");

            Run pin = device("pin", v1);
            assertThat(pin.code()).isZero();
            assertThat(pin.out()).contains("the agent is not running: it applies it when it starts");

            // a tag is looked up on the Git server named by the config
            origin.tag("release-1", v1);
            Path config = Files.writeString(tmp.resolve("agent.yaml"), "repo: " + origin.fileUrl() + "\n");
            Run tagged = device("pin", "release-1", "--config", config.toString());
            assertThat(tagged.code()).as(tagged.err()).isZero();
            assertThat(tagged.out()).startsWith("pinned dev1 to " + v1.substring(0, 12) + " (tag release-1, from cli); ");
            Run noTag = device("pin", "release-9", "--config", config.toString());
            assertThat(noTag.code()).isEqualTo(1);
            assertThat(noTag.err()).isEqualTo("pin: unknown revision 'release-9': not a commit this device has seen, nor a tag on "
                    + origin.fileUrl() + "\n");
            Run noRepo = device("pin", "release-1");
            assertThat(noRepo.code()).isEqualTo(1);
            assertThat(noRepo.err()).startsWith("pin: unknown revision 'release-1': not a commit this device has seen; to look it up"
                    + " as a tag, the command needs the repository");
            assertThat(status().path("pin").path("revision").asString()).isEqualTo(v1);

            Run logs = device("logs", "web");
            assertThat(logs.code()).as(logs.err()).isZero();
            assertThat(logs.out()).contains("serving one");
            Run missing = device("logs", "nosuch");
            assertThat(missing.code()).isEqualTo(1);
            assertThat(missing.err()).startsWith("logs: no service 'nosuch' has a log in ").endsWith("(services with logs: web)\n");
        }
    }

    @Test
    void badInput_oneLineAndTheRightExitCode() throws Exception {
        try (TestRepo origin = TestRepo.create(tmp.resolve("origin.git"))) {
            origin.commit("v1", workload("one"));
            String v2 = origin.commit("v2", workload("two"));
            assertThat(cli("run", "--once", "--repo", origin.fileUrl(), "--hostname", "dev1", "--state-dir",
                    tmp.resolve("state").toString(), "--root", tmp.resolve("root").toString(), "--runtime", "process").code()).isZero();

            Run unknown = device("pin", "abcdef12");
            assertThat(unknown.code()).isEqualTo(1);
            assertThat(unknown.err()).isEqualTo("pin: unknown revision 'abcdef12': not a commit this device has seen\n");

            Run noRev = device("pin");
            assertThat(noRev.code()).isEqualTo(2);
            assertThat(noRev.err()).startsWith("voltis-agent: Missing required parameter: 'REV'");

            Run bogus = cli("bogus");
            assertThat(bogus.code()).isEqualTo(2);
            assertThat(bogus.err()).startsWith("voltis-agent: Unmatched argument at index 0: 'bogus'");

            Run badFormat = device("status", "-o", "yaml");
            assertThat(badFormat.code()).isEqualTo(2);
            assertThat(badFormat.err()).startsWith("voltis-agent: Invalid value for option '--output': expected one of [table, json]");

            Run conflicting = device("status", "-o", "json", "-o", "table");
            assertThat(conflicting.code()).isEqualTo(2);
            assertThat(conflicting.err()).contains("should be specified only once").contains("Try 'voltis-agent status --help'.");

            Run twoRevs = device("pin", "abcd", "ef01");
            assertThat(twoRevs.code()).isEqualTo(2);

            Run nowhere = cli("status", "--state-dir", tmp.resolve("nowhere").toString());
            assertThat(nowhere.code()).isEqualTo(1);
            assertThat(nowhere.err()).isEqualTo("status: no agent state in " + tmp.resolve("nowhere")
                    + ": the directory does not exist (give --state-dir, or start the agent first)\n");

            assertThat(v2).isNotNull();
        }
    }
}
