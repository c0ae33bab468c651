package io.voltis.agent.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import io.voltis.agent.packages.system.CommandRunner;
import io.voltis.agent.packages.system.SystemPackages;
import io.voltis.agent.plan.Plan.FileChange;
import io.voltis.agent.plan.Plan.FileKind;
import io.voltis.agent.plan.Plan.JobAction;
import io.voltis.agent.plan.Plan.PackageAction;
import io.voltis.agent.plan.Plan.Reason;
import io.voltis.agent.plan.Plan.ServiceAction;
import io.voltis.agent.reconcile.AgentFixture;
import io.voltis.agent.reconcile.Phase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plans made by a real agent's state (Git mirror, H2 store, files under the root, running
 * services), checked for what they say and for touching nothing: no file under the root, no
 * apply or event in the store, no unpacked revision in the state directory.
 */
class PlannerTest {

    @TempDir
    Path tmp;

    AgentFixture f;
    /** A dpkg-query that finds nothing, and no rpm: the device's package tools, as plan asks them. */
    SystemPackages system;

    @BeforeEach
    void setUp() throws Exception {
        f = new AgentFixture(tmp);
        f.origin.commitBytes("v1", tree("v1"));
        f.start();
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path query = bin.resolve("dpkg-query");
        Files.writeString(query, "#!/bin/sh\nfor last; do :; done\necho \"dpkg-query: no packages found matching $last\" >&2\nexit 1\n");
        Files.setPosixFilePermissions(query, PosixFilePermissions.fromString("rwxr-xr-x"));
        system = new SystemPackages(CommandRunner.processes(), List.of(bin), Duration.ofSeconds(10), Duration.ofSeconds(10));
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    @Test
    void fetchedNotApplied_showsEveryChange_withDiffs_andTouchesNothing() throws Exception {
        String v1 = converged();
        String v2 = f.origin.commitBytes("v2", tree("v2"));
        assertThat(f.agent.pollNow()).isTrue();
        Untouched before = Untouched.now(f);

        Plan plan = plan(null);

        assertThat(plan.hostname()).isEqualTo("dev1");
        assertThat(plan.applied()).isEqualTo(new Plan.AppliedRevision(v1, "app"));
        assertThat(plan.target()).isEqualTo(new Plan.TargetRevision(v2, Reason.HEAD, "head of main", "app"));
        assertThat(plan.changes()).isTrue();
        assertThat(plan.files()).extracting(FileChange::target, FileChange::kind, FileChange::binary, FileChange::drift)
                .containsExactly(
                        tuple(target("etc/app.conf"), FileKind.CHANGED, false, false),
                        tuple(target("etc/new.conf"), FileKind.ADDED, false, false),
                        tuple(target("share/logo.bin"), FileKind.CHANGED, true, false),
                        tuple(target("etc/old.conf"), FileKind.REMOVED, false, false));
        assertThat(file(plan, "etc/app.conf").diff()).isEqualTo(""
                + "--- " + target("etc/app.conf") + " (device)\n"
                + "+++ " + target("etc/app.conf") + " (" + v2.substring(0, 12) + ")\n"
                + "@@ -1,3 +1,3 @@\n"
                + " # app settings\n"
                + "-greeting=hello\n"
                + "+greeting=bye\n"
                + " port=8080\n");
        FileChange added = file(plan, "etc/new.conf");
        assertThat(added.observed()).isNull();
        assertThat(added.desired().mode()).isEqualTo("0600");
        assertThat(added.diff()).endsWith("@@ -1,0 +1,1 @@\n+new=true\n").startsWith("--- /dev/null\n");
        assertThat(file(plan, "share/logo.bin").diff()).isNull();
        assertThat(file(plan, "etc/old.conf").diff()).endsWith("-old=true\n").contains("+++ /dev/null\n");
        assertThat(plan.services()).extracting(Plan.ServiceChange::name, Plan.ServiceChange::action, Plan.ServiceChange::why)
                .containsExactly(
                        tuple("db", ServiceAction.RESTART, "new revision"),
                        tuple("web", ServiceAction.RESTART, "command changed"),
                        tuple("api", ServiceAction.START, "new"));
        assertThat(plan.jobs()).extracting(Plan.JobChange::name, Plan.JobChange::action, Plan.JobChange::schedule)
                .containsExactly(
                        tuple("migrate", JobAction.RUN, null),
                        tuple("init", JobAction.SKIP, null),
                        tuple("rotate", JobAction.SCHEDULED, "0 0 3 * * ?"));
        assertThat(plan.packages()).isEmpty();
        before.assertSameAs(Untouched.now(f));
        assertThat(f.file("etc/app.conf")).contains("greeting=hello");
    }

    @Test
    void fileEditedByHand_isChangedWithDrift_andAModeChangeShowsWithoutDiff() throws Exception {
        String v1 = converged();
        Files.writeString(f.root.resolve("etc/app.conf"), "# app settings\ngreeting=by hand\nport=8080\n");
        Files.setPosixFilePermissions(f.root.resolve("etc/old.conf"), PosixFilePermissions.fromString("rw-------"));
        Untouched before = Untouched.now(f);

        Plan plan = plan(null);

        assertThat(plan.target().sha()).isEqualTo(v1);
        assertThat(plan.files()).extracting(FileChange::target, FileChange::kind, FileChange::drift)
                .containsExactly(tuple(target("etc/app.conf"), FileKind.CHANGED, true),
                        tuple(target("etc/old.conf"), FileKind.CHANGED, true));
        assertThat(file(plan, "etc/app.conf").diff()).contains("\n-greeting=by hand\n+greeting=hello\n");
        FileChange mode = file(plan, "etc/old.conf");
        assertThat(mode.diff()).isNull();
        assertThat(mode.observed().mode()).isEqualTo("0600");
        assertThat(mode.desired().mode()).isEqualTo("0644");
        assertThat(plan.services()).extracting(Plan.ServiceChange::action).containsOnly(ServiceAction.UNCHANGED);
        assertThat(plan.jobs()).extracting(Plan.JobChange::action).doesNotContain(JobAction.RUN);
        assertThat(plan.notes()).anyMatch(n -> n.startsWith(v1.substring(0, 12) + " is the applied revision"));
        assertThat(plan.changes()).isTrue();
        before.assertSameAs(Untouched.now(f));
    }

    @Test
    void olderRevisionAsked_plansTheWayBack() throws Exception {
        String v1 = converged();
        String v2 = f.origin.commitBytes("v2", tree("v2"));
        assertThat(f.converge().appliedRevision()).isEqualTo(v2);
        Untouched before = Untouched.now(f);

        Plan plan = plan(v1.substring(0, 10));

        assertThat(plan.applied().sha()).isEqualTo(v2);
        assertThat(plan.target()).isEqualTo(new Plan.TargetRevision(v1, Reason.ASKED, "asked for " + v1.substring(0, 10), "app"));
        assertThat(plan.files()).extracting(FileChange::target, FileChange::kind)
                .containsExactly(tuple(target("etc/app.conf"), FileKind.CHANGED), tuple(target("etc/old.conf"), FileKind.ADDED),
                        tuple(target("share/logo.bin"), FileKind.CHANGED), tuple(target("etc/new.conf"), FileKind.REMOVED));
        assertThat(file(plan, "etc/app.conf").diff()).contains("\n-greeting=bye\n+greeting=hello\n");
        assertThat(plan.services()).extracting(Plan.ServiceChange::name, Plan.ServiceChange::action, Plan.ServiceChange::why)
                .containsExactly(tuple("db", ServiceAction.RESTART, "new revision"),
                        tuple("web", ServiceAction.RESTART, "command changed"),
                        tuple("api", ServiceAction.STOP, "no longer declared"));
        assertThat(plan.jobs()).extracting(Plan.JobChange::name, Plan.JobChange::action)
                .contains(tuple("migrate", JobAction.RUN), tuple("init", JobAction.SKIP));
        before.assertSameAs(Untouched.now(f));
    }

    @Test
    void nothingDiffers_saysNoChanges() throws Exception {
        String v1 = converged();

        Plan plan = plan(null);

        assertThat(plan.applied().sha()).isEqualTo(v1);
        assertThat(plan.target().sha()).isEqualTo(v1);
        assertThat(plan.files()).isEmpty();
        assertThat(plan.services()).extracting(Plan.ServiceChange::name, Plan.ServiceChange::action)
                .containsExactly(tuple("db", ServiceAction.UNCHANGED), tuple("web", ServiceAction.UNCHANGED));
        assertThat(plan.changes()).isFalse();
    }

    @Test
    void invalidRevision_isRefusedWithItsProblems_andNotRecorded() throws Exception {
        converged();
        String bad = f.origin.commit("bad", Map.of("workloads/app/workload.yaml", text("invalid/workloads/app/workload.yaml")));
        f.agent.pollNow();
        Untouched before = Untouched.now(f);

        for (String rev : new String[] {null, bad}) {
            assertThatThrownBy(() -> plan(rev))
                    .isInstanceOf(PlanException.class)
                    .hasMessage("revision " + bad.substring(0, 12) + " is invalid for dev1: 1 problem(s)")
                    .satisfies(e -> assertThat(((PlanException) e).problems()).singleElement().asString()
                            .startsWith("workloads/app/workload.yaml:3:")
                            .contains("services[0].restart: 'sometimes' is not one of always|on-failure|never"));
        }
        before.assertSameAs(Untouched.now(f));
    }

    @Test
    void unknownRevision_isRefusedWithoutTheNetwork() throws Exception {
        converged();
        Files.walk(f.origin.dir()).sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(java.io.File::delete);

        assertThatThrownBy(() -> plan("deadbeef")).isInstanceOf(PlanException.class)
                .hasMessage("unknown revision 'deadbeef': not a commit in this device's Git mirror");
        assertThatThrownBy(() -> plan("v1.0")).isInstanceOf(PlanException.class)
                .hasMessageContaining("plan reads no tags from the server: give the commit's SHA");
        assertThat(plan(null).changes()).as("the server is gone; the mirror is enough").isFalse();
    }

    @Test
    void pinFromTheCli_andRevisionInTheDeviceFile_chooseTheTarget() throws Exception {
        String v1 = converged();
        String v2 = f.origin.commitBytes("v2", tree("v2"));
        f.origin.commit("pin in the repo", Map.of("devices/dev1.yaml", "workload: app\nrevision: " + v2.substring(0, 9)
                + "\nvars: {greeting: bye}\n"));
        f.agent.pollNow();

        assertThat(plan(null).target()).isEqualTo(new Plan.TargetRevision(v2, Reason.DEVICE_FILE,
                "revision: in devices/dev1.yaml", "app"));

        f.agent.store().setPin(v1);
        Plan pinned = plan(null);
        assertThat(pinned.target()).isEqualTo(new Plan.TargetRevision(v1, Reason.PIN, "pin from cli", "app"));
        assertThat(pinned.changes()).isFalse();
    }

    @Test
    void packages_areCheckedReadOnly_missingInstall_presentArtifact_toolAbsentCannotCheck() throws Exception {
        converged();
        Map<String, byte[]> files = tree("v1");
        files.putAll(tree("packages"));
        f.origin.commitBytes("packages", files);
        f.agent.pollNow();
        Path kept = Files.createDirectories(f.root.resolve("opt/kept"));
        Files.writeString(kept.resolve(".voltis-artifact"), "b".repeat(64) + "\n");
        Untouched before = Untouched.now(f);

        Plan plan = plan(null);

        assertThat(plan.packages()).extracting(Plan.PackageChange::name, Plan.PackageChange::source, Plan.PackageChange::action)
                .containsExactly(tuple("plan-test-deb", "apt", PackageAction.INSTALL),
                        tuple("plan-test-rpm", "dnf", PackageAction.CANNOT_CHECK),
                        tuple("tool", "artifact", PackageAction.INSTALL),
                        tuple("kept", "artifact", PackageAction.PRESENT));
        assertThat(plan.packages().get(1).detail()).contains("rpm not found in " + tmp.resolve("bin"));
        assertThat(plan.packages().get(2).detail()).isEqualTo("download, sha256 aaaaaaaaaaaa in " + f.root.resolve("opt/tool"));
        before.assertSameAs(Untouched.now(f));
        assertThat(f.root.resolve("opt/tool")).doesNotExist();
    }

    @Test
    void missingStateDir_isOneLine() {
        var config = f.config();
        var elsewhere = new io.voltis.agent.config.AgentConfig(config.repo(), config.branch(), config.path(), config.hostname(),
                config.interval(), config.reconcileInterval(), tmp.resolve("nowhere"), config.root(), config.runtime(),
                config.listen(), null, true, null, null, null, null, 2, 10, config.stopGrace());

        assertThatThrownBy(() -> Planner.open(elsewhere, system, Clock.systemUTC())).isInstanceOf(PlanException.class)
                .hasMessage("no agent state in " + tmp.resolve("nowhere") + ": the directory does not exist"
                        + " (give --state-dir, or start the agent first)");
    }

    // --- helpers

    String converged() throws Exception {
        assertThat(f.converge().phase()).isEqualTo(Phase.SYNCED);
        return f.origin.head();
    }

    Plan plan(String rev) throws PlanException {
        try (Planner planner = Planner.open(f.config(), system, Clock.systemUTC())) {
            return planner.plan(rev);
        }
    }

    String target(String relative) {
        return f.root.resolve(relative).toString();
    }

    FileChange file(Plan plan, String relative) {
        return plan.files().stream().filter(c -> c.target().equals(target(relative))).findFirst().orElseThrow();
    }

    /** A fixture tree under src/test/resources/plan/, by repo path. */
    static Map<String, byte[]> tree(String name) throws IOException {
        Path dir = resource(name);
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                files.put(dir.relativize(p).toString(), Files.readAllBytes(p));
            }
        }
        return files;
    }

    static String text(String name) throws IOException {
        return Files.readString(resource(name), StandardCharsets.UTF_8);
    }

    static Path resource(String name) {
        try {
            return Path.of(PlannerTest.class.getResource("/plan/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * What a plan must leave as it was: every file under the root (content, mode, modification
     * time), the unpacked revisions, the store's applies, events, job runs and pin, and no
     * temporary folder of a plan left behind.
     */
    record Untouched(Map<String, String> root, List<String> revisions, int applies, long lastEvent, int jobRuns,
                     boolean pinned, List<String> temporary) {

        static Untouched now(AgentFixture f) {
            try {
                Map<String, String> root = new TreeMap<>();
                try (Stream<Path> walk = Files.walk(f.root)) {
                    for (Path p : walk.toList()) {
                        String what = Files.isRegularFile(p) ? new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1) : "dir";
                        root.put(f.root.relativize(p).toString(), what + "|" + Files.getLastModifiedTime(p).toMillis()
                                + "|" + PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
                    }
                }
                List<String> revisions;
                try (Stream<Path> list = Files.list(f.state.resolve("revisions"))) {
                    revisions = list.map(p -> p.getFileName().toString()).sorted().toList();
                }
                List<String> temporary;
                try (Stream<Path> list = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
                    temporary = list.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("voltis-plan-")).sorted().toList();
                }
                var store = f.agent.store();
                return new Untouched(root, revisions, store.applies(1000).size(),
                        store.events(1).stream().mapToLong(io.voltis.sync.store.Event::id).max().orElse(0),
                        store.jobRuns(null, 1000).size(), store.pin().isPresent(), temporary);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void assertSameAs(Untouched after) {
            assertThat(after.root()).as("files under the root").containsExactlyEntriesOf(root);
            assertThat(after.revisions()).as("unpacked revisions").isEqualTo(revisions);
            assertThat(after.applies()).as("applies").isEqualTo(applies);
            assertThat(after.lastEvent()).as("newest event").isEqualTo(lastEvent);
            assertThat(after.jobRuns()).as("job runs").isEqualTo(jobRuns);
            assertThat(after.pinned()).as("pin").isEqualTo(pinned);
            assertThat(after.temporary()).as("temporary folders of plans").isEqualTo(temporary);
        }
    }
}
