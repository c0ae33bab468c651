package io.voltis.agent.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import io.voltis.sync.store.ApplyRecord;
import io.voltis.sync.store.Event;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The state directory is the agent's alone (0700 folders, 0600 files), and survives being removed. */
class StateDirectoryTest {

    @TempDir
    Path tmp;

    AgentFixture f;

    @BeforeEach
    void setUp() throws Exception {
        f = new AgentFixture(tmp);
        f.origin.commit("v1", Map.of(
                "devices/dev1.yaml", "workload: w\n",
                "workloads/w/x.conf", "setting=1\n",
                "workloads/w/workload.yaml", "apiVersion: voltis/v1\n"
                        + "files:\n  - {source: x.conf, target: etc/x.conf}\n"
                        + "services:\n  - {name: app, command: [sh, -c, \"echo up; exec sleep 1000\"]}\n"
                        + "jobs:\n  - {name: migrate, run: [sh, -c, \"echo migrated\"], when: per-revision}\n"));
        f.origin.commitExecutable("a script", "workloads/w/run.sh", "#!/bin/sh\necho hi\n");
        f.start();
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    @Test
    void afterARealApply_everyFolderIs0700_andEveryFileIs0600() throws Exception {
        assertThat(f.converge().phase()).isEqualTo(Phase.SYNCED);

        assertThat(modes(f.state)).as("only the agent's user may read its state").isEmpty();
    }

    @Test
    void stateDirectoryRemoved_isRecreatedPrivate_andTheAgentRecovers_withAStateLostEvent() throws Exception {
        String head = f.origin.head();
        assertThat(f.converge().appliedRevision()).isEqualTo(head);
        long appPid = f.pid("app").orElseThrow();

        deleteTree(f.state);

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).until(() -> {
            f.agent.pollNow();
            AgentStatus s = f.agent.tickNow();
            return s.phase() == Phase.SYNCED && s.source().reachable() && Files.isDirectory(f.state.resolve("revisions/" + head));
        });
        AgentStatus s = f.agent.status();
        assertThat(s.appliedRevision()).isEqualTo(head);
        assertThat(s.services()).extracting(x -> x.name()).containsExactly("app");
        assertThat(ProcessHandle.of(appPid).map(ProcessHandle::isAlive)).as("the service was not restarted").contains(true);
        assertThat(f.agent.store().events(50)).extracting(Event::type).contains("StateLost");
        assertThat(f.agent.store().lastSuccessfulApply()).as("the running revision is recorded again, so a restart"
                + " does not apply it (and run its jobs) again").hasValueSatisfying(a -> {
                    assertThat(a.sha()).isEqualTo(head);
                    assertThat(a.result()).isEqualTo(ApplyRecord.Result.SUCCEEDED);
                });
        assertThat(f.agent.store().archive(head)).as("rollback to it still works").isPresent();
        assertThat(f.state.resolve("mirror/HEAD")).exists();
        assertThat(modes(f.state)).isEmpty();
    }

    /** Every entry under {@code dir} (and itself) whose mode is not 0700 (folders) or 0600 (files). */
    static List<String> modes(Path dir) throws Exception {
        List<String> wrong = new ArrayList<>();
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.toList()) {
                if (Files.isSymbolicLink(p)) {
                    continue;
                }
                String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
                boolean executableFromGit = Files.isRegularFile(p) && mode.equals("rwx------")
                        && p.startsWith(dir.resolve("revisions"));
                String want = Files.isDirectory(p) ? "rwx------" : "rw-------";
                if (!mode.equals(want) && !executableFromGit) {
                    wrong.add(dir.relativize(p) + " " + mode);
                }
            }
        }
        return wrong;
    }

    static void deleteTree(Path dir) throws Exception {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
