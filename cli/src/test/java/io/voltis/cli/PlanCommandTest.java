package io.voltis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import io.voltis.agent.Agent;
import io.voltis.agent.config.AgentConfig;
import io.voltis.agent.reconcile.Phase;
import io.voltis.sync.testing.TestRepo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code voltis-agent plan} as an operator meets it, on the state a real agent left: a repo with
 * the workloads under src/test/resources/plan/, converged to v1, then v2 fetched but not applied.
 * What is printed and the exit code, with the daemon stopped or running.
 */
class PlanCommandTest {

    @TempDir
    Path tmp;

    TestRepo origin;
    Agent agent;
    Path root;
    Path state;
    /** An empty config file, so the machine's /etc/voltis/agent.yaml never counts. */
    Path config;
    String v1;

    @BeforeEach
    void converge() throws Exception {
        origin = TestRepo.create(tmp.resolve("origin.git"));
        root = tmp.resolve("root");
        state = tmp.resolve("state");
        config = Files.writeString(tmp.resolve("agent.yaml"), "");
        v1 = origin.commit("v1", tree("v1"));
        agent = Agent.start(new AgentConfig(origin.fileUrl(), "main", "", "dev1", Duration.ofSeconds(30),
                Duration.ofSeconds(5), state, root, AgentConfig.Runtime.PROCESS, "127.0.0.1:0", null, true, null, null, null,
                null, 2, 10, Duration.ofSeconds(2)), Map.of("PATH", System.getenv("PATH"), "HOME", System.getProperty("user.home")));
        assertThat(agent.runOnce(Duration.ofSeconds(30)).phase()).isEqualTo(Phase.SYNCED);
    }

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
        origin.close();
    }

    Cli plan(String... args) {
        List<String> all = new ArrayList<>(List.of("plan", "--config", config.toString(), "--state-dir", state.toString(),
                "--root", root.toString(), "--hostname", "dev1"));
        all.addAll(List.of(args));
        return Cli.run(all.toArray(String[]::new));
    }

    @Test
    void fetchedRevision_daemonStopped_exit0_withDiffServicesAndJobs() throws Exception {
        String v2 = origin.commit("v2", tree("v2"));
        assertThat(agent.pollNow()).isTrue();
        String fetched = agent.store().sourceState().lastFetchAt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        agent.close();
        String conf = root.resolve("etc/app.conf").toString();

        Cli cli = plan();

        assertThat(cli.exitCode()).as(cli.err()).isEqualTo(Main.OK);
        assertThat(cli.err()).isEmpty();
        assertThat(cli.outLines()).containsExactly(
                "plan for dev1: " + v1.substring(0, 12) + " -> " + v2.substring(0, 12) + " (head of main)",
                "workload: app",
                "note: the head of main as last fetched (" + fetched + "); plan does not fetch",
                "note: health gate after the apply: 1m with every service running, else held: no revision passed its gate"
                        + " on this device yet",
                "",
                "files:",
                "  ~ " + conf + ": content",
                "      --- " + conf + " (device)",
                "      +++ " + conf + " (" + v2.substring(0, 12) + ")",
                "      @@ -1,1 +1,1 @@",
                "      -greeting=hello",
                "      +greeting=bye",
                "",
                "services:",
                "  restart      web: new revision",
                "",
                "jobs:",
                "  run          migrate (per-revision): runs with every new revision",
                "",
                "changes: 1 file, 1 service, 1 job");
        assertThat(Files.readString(root.resolve("etc/app.conf"))).isEqualTo("greeting=hello\n");
    }

    @Test
    void json_daemonRunning_isThePlanRecords() throws Exception {
        String v2 = origin.commit("v2", tree("v2"));
        agent.pollNow();

        Cli cli = plan("-o", "json");

        assertThat(cli.exitCode()).as(cli.err()).isEqualTo(Main.OK);
        JsonNode plan = JsonMapper.builder().build().readTree(cli.out());
        assertThat(plan.get("hostname").asString()).isEqualTo("dev1");
        assertThat(plan.get("applied").get("sha").asString()).isEqualTo(v1);
        assertThat(plan.get("target").get("sha").asString()).isEqualTo(v2);
        assertThat(plan.get("target").get("reason").asString()).isEqualTo("head");
        JsonNode file = plan.get("files").get(0);
        assertThat(file.get("kind").asString()).isEqualTo("changed");
        assertThat(file.get("observed").get("mode").asString()).isEqualTo("0644");
        assertThat(file.get("diff").asString()).contains("\n-greeting=hello\n+greeting=bye\n");
        assertThat(plan.get("services").get(0).get("action").asString()).isEqualTo("restart");
        assertThat(plan.get("jobs").get(0).get("action").asString()).isEqualTo("run");
        assertThat(plan.get("changes").asBoolean()).isTrue();
    }

    @Test
    void appliedRevision_exit0_noChanges() {
        Cli cli = plan(v1.substring(0, 8));

        assertThat(cli.exitCode()).as(cli.err()).isEqualTo(Main.OK);
        assertThat(cli.outLines()).first().isEqualTo("plan for dev1: " + v1.substring(0, 12) + " -> " + v1.substring(0, 12)
                + " (asked for " + v1.substring(0, 8) + ")");
        assertThat(cli.outLines()).contains("  unchanged    web", "  skip         migrate (per-revision): no apply")
                .last().isEqualTo("no changes");
    }

    @Test
    void daemonsRootHostnameAndBranch_comeFromItsRunFacts_notTheCommandsDefaults() throws Exception {
        agent.close();
        agent = null;

        Cli cli = Cli.run("plan", "--config", config.toString(), "--state-dir", state.toString());

        assertThat(cli.exitCode()).as(cli.err()).isEqualTo(Main.OK);
        assertThat(cli.outLines()).as("compared with " + root + ", where the daemon wrote, not with /")
                .first().isEqualTo("plan for dev1: " + v1.substring(0, 12) + " -> " + v1.substring(0, 12) + " (head of main)");
        assertThat(cli.outLines()).noneMatch(l -> l.contains(" + ")).last().isEqualTo("no changes");
        assertThat(Files.readString(state.resolve("agent.facts"))).contains("root=" + root.toAbsolutePath()
                .toString().replace(":", "\\:"), "hostname=dev1", "runtime=process", "branch=main", "listen=127.0.0.1\\:0");
        assertThat(Files.getPosixFilePermissions(state.resolve("agent.facts")))
                .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));

        Cli other = Cli.run("plan", "--config", config.toString(), "--state-dir", state.toString(), "--root",
                tmp.resolve("elsewhere").toString());
        assertThat(other.exitCode()).as(other.err()).isEqualTo(Main.OK);
        assertThat(other.outLines()).as("a flag of the command still wins").anyMatch(l -> l.startsWith("  + "));
    }

    @Test
    void ambiguousPrefix_exit1_namesTheCandidates() {
        Map<String, String> byPrefix = new HashMap<>(Map.of(v1.substring(0, 4), v1));
        List<String> pair = null;
        for (int i = 0; pair == null && i < 5000; i++) {
            String sha = origin.commit("note " + i, Map.of("notes.txt", "note " + i + "\n"));
            String other = byPrefix.putIfAbsent(sha.substring(0, 4), sha);
            if (other != null) {
                pair = List.of(other, sha).stream().sorted().toList();
            }
        }
        assertThat(pair).as("two commits sharing 4 hex digits").isNotNull();
        agent.pollNow();

        Cli cli = plan(pair.get(0).substring(0, 4));

        assertThat(cli.exitCode()).isEqualTo(Main.FAILED);
        assertThat(cli.out()).isEmpty();
        assertThat(cli.err()).isEqualTo("plan: revision '" + pair.get(0).substring(0, 4) + "' is ambiguous: "
                + pair.get(0) + ", " + pair.get(1) + "\n");
    }

    @Test
    void unknownRevision_exit1_oneLine() {
        Cli cli = plan("0000000");

        assertThat(cli.exitCode()).isEqualTo(Main.FAILED);
        assertThat(cli.err()).isEqualTo("plan: unknown revision '0000000': not a commit in this device's Git mirror\n");
    }

    @Test
    void invalidRevision_exit1_printsItsProblems() throws Exception {
        String bad = origin.commit("bad", tree("invalid"));
        agent.pollNow();

        Cli cli = plan();

        assertThat(cli.exitCode()).isEqualTo(Main.FAILED);
        assertThat(cli.out()).isEmpty();
        assertThat(cli.err().lines().toList()).hasSize(2)
                .first().isEqualTo("plan: revision " + bad.substring(0, 12) + " is invalid for dev1: 1 problem(s)");
        assertThat(cli.err().lines().toList().get(1)).startsWith("workloads/app/workload.yaml:3:")
                .endsWith("services[0].restart: 'sometimes' is not one of always|on-failure|never");
    }

    @Test
    void missingStateDir_exit1_oneLine() {
        Path nowhere = tmp.resolve("nowhere");

        Cli cli = Cli.run("plan", "--config", config.toString(), "--state-dir", nowhere.toString());

        assertThat(cli.exitCode()).isEqualTo(Main.FAILED);
        assertThat(cli.out()).isEmpty();
        assertThat(cli.err()).isEqualTo("plan: no agent state in " + nowhere + ": the directory does not exist"
                + " (give --state-dir, or start the agent first)\n");
    }

    @Test
    void twoRevisions_exit2_withUsageHint() {
        Cli cli = plan("a", "b");

        assertThat(cli.exitCode()).isEqualTo(Main.USAGE);
        assertThat(cli.out()).isEmpty();
        assertThat(cli.err()).contains("'b'").endsWith("Try 'voltis-agent plan --help'.\n");
    }

    /** A fixture tree under src/test/resources/plan/, by repo path. */
    static Map<String, String> tree(String name) throws IOException {
        Path dir = Fixtures.resource("plan/" + name);
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                files.put(dir.relativize(p).toString(), Files.readString(p));
            }
        }
        return files;
    }
}
