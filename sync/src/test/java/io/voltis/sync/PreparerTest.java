package io.voltis.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.voltis.model.CronCheck;
import io.voltis.model.HostResolver;
import io.voltis.sync.store.Event;
import io.voltis.sync.store.RevisionRecord;
import io.voltis.sync.testing.TestRepo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PreparerTest {

    @TempDir
    Path tmp;

    SyncFixture f;

    @AfterEach
    void tearDown() {
        if (f != null) {
            f.close();
        }
    }

    private String pollHead() {
        return ((PollResult.Fetched) f.poller.poll()).head();
    }

    @Test
    void validCommit_isUnpackedWholeWithItsModes() throws Exception {
        f = SyncFixture.ofExample(tmp, "edge-01.plant-a.example");
        String head = pollHead();

        Preparation p = f.preparer.prepare(head);

        assertThat(p).isInstanceOfSatisfying(Preparation.Ready.class, ready -> {
            assertThat(ready.resolution().match().file()).isEqualTo("devices/edge-01.yaml");
            assertThat(ready.resolution().workload().name()).isEqualTo("hello-web");
            assertThat(ready.dir()).isEqualTo(f.state.resolve("revisions/" + head));
            assertThat(ready.files()).extracting(x -> x.path() + (x.executable() ? "*" : ""))
                    .contains("workload.yaml", "app/Greeter.java", "scripts/prepare.sh*");
        });
        Path dir = f.state.resolve("revisions/" + head);
        assertThat(dir.resolve("app/Greeter.java")).hasSameTextualContentAs(SyncFixture.example().resolve("workloads/hello-web/app/Greeter.java"));
        assertThat(dir.resolve("workload.yaml")).exists();
        assertThat(Files.isExecutable(dir.resolve("scripts/prepare.sh"))).isTrue();
        assertThat(Files.getPosixFilePermissions(dir.resolve("workload.yaml"))).hasSize(2);
        assertThat(f.store.revision(head)).hasValueSatisfying(r -> assertThat(r.validation()).isEqualTo(RevisionRecord.Validation.VALID));
        try (var list = Files.list(f.state.resolve("revisions"))) {
            assertThat(list.map(x -> x.getFileName().toString())).containsExactly(head);
        }
    }

    @Test
    void tooLittleFreeSpace_refusesToUnpack_withInsufficientSpace_andWritesNothing() throws Exception {
        f = SyncFixture.ofExample(tmp, "edge-01");
        byte[] big = new byte[3 * 1024 * 1024];
        new java.util.Random(7).nextBytes(big);
        String head = f.origin.commitBytes("a big file", Map.of("workloads/hello-web/big.bin", big));
        pollHead();
        try (io.voltis.sync.testing.SmallDisk disk = io.voltis.sync.testing.SmallDisk.mount(f.state.resolve("revisions"), 8)) {

            org.assertj.core.api.Assertions.assertThatThrownBy(() -> f.preparer.prepare(head))
                    .isInstanceOfSatisfying(io.voltis.sync.git.SourceException.class, e -> {
                        assertThat(e.reason().word()).isEqualTo("InsufficientSpace");
                        assertThat(e.getMessage()).contains("unpack " + head.substring(0, 12), "nothing was written");
                    });
            try (var list = Files.list(disk.dir())) {
                assertThat(list).as("nothing unpacked, not even a temporary folder").isEmpty();
            }
        }
        assertThat(f.preparer.prepare(head)).as("on a disk with room, the same revision unpacks")
                .isInstanceOf(Preparation.Ready.class);
    }

    @Test
    void invalidCommit_isKnownBadWithFileAndLine_andNotReadAgain() throws Exception {
        f = SyncFixture.ofExample(tmp, "edge-01");
        pollHead();
        String bad = f.origin.commit("typo", Map.of("workloads/hello-web/workload.yaml",
                Files.readString(SyncFixture.example().resolve("workloads/hello-web/workload.yaml"))
                        .replace("restart: always", "restart: sometimes")));
        pollHead();

        Preparation p = f.preparer.prepare(bad);

        assertThat(p).isInstanceOfSatisfying(Preparation.Invalid.class, invalid -> assertThat(invalid.problems()).containsExactly(
                "workloads/hello-web/workload.yaml:14:14: services[0].restart: 'sometimes' is not one of always|on-failure|never"));
        assertThat(f.store.revision(bad)).hasValueSatisfying(r -> {
            assertThat(r.validation()).isEqualTo(RevisionRecord.Validation.INVALID);
            assertThat(r.problems()).contains("workload.yaml:14:14");
        });
        assertThat(f.state.resolve("revisions/" + bad)).doesNotExist();

        f.origin.pruneUnreachable();
        assertThat(f.preparer.prepare(bad)).isEqualTo(p);
    }

    @Test
    void deviceFileRemoved_isNoWorkload() throws Exception {
        f = SyncFixture.ofExample(tmp, "edge-01");
        pollHead();
        String removed = f.origin.delete("retire edge-01", "devices/edge-01.yaml");
        pollHead();

        assertThat(f.preparer.prepare(removed)).isEqualTo(new Preparation.NoWorkload(removed,
                java.util.List.of("devices/edge-01.yaml", "devices/_default.yaml")));
    }

    @Test
    void workloadFolderRemoved_isInvalidNamingTheDeviceFile() throws Exception {
        f = SyncFixture.ofExample(tmp, "edge-01");
        pollHead();
        String removed = f.origin.delete("drop hello-web", "workloads/hello-web");
        pollHead();

        assertThat(f.preparer.prepare(removed)).isInstanceOfSatisfying(Preparation.Invalid.class, invalid -> assertThat(invalid.problems())
                .containsExactly("devices/edge-01.yaml:2:11: workload: 'hello-web' is not a folder under workloads/"));
    }

    @Test
    void subPath_findsDevicesUnderIt() throws Exception {
        TestRepo origin = TestRepo.create(tmp.resolve("origin.git"));
        origin.commit("fleet under a folder", Map.of(
                "fleet/devices/gw.yaml", "workload: w\n",
                "fleet/workloads/w/workload.yaml", "services:\n  - {name: s, command: [\"true\"]}\n",
                "devices/gw.yaml", "workload: elsewhere\n"));
        f = new SyncFixture(tmp, origin, origin.fileUrl(), "fleet", "gw");
        String head = pollHead();

        assertThat(f.preparer.prepare(head)).isInstanceOfSatisfying(Preparation.Ready.class,
                ready -> assertThat(ready.resolution().workload().name()).isEqualTo("w"));
        assertThat(f.state.resolve("revisions/" + head + "/workload.yaml")).exists();
    }

    @Test
    void linkLeavingTheWorkload_isInvalid() throws Exception {
        f = SyncFixture.ofExample(tmp, "edge-01");
        pollHead();
        String linked = f.origin.symlink("sneaky link", "workloads/hello-web/files/passwd", "../../../../etc/passwd");
        pollHead();

        assertThat(f.preparer.prepare(linked)).isInstanceOfSatisfying(Preparation.Invalid.class, invalid -> assertThat(invalid.problems())
                .containsExactly("workloads/hello-web/files/passwd: symlink to ../../../../etc/passwd leaves workloads/hello-web/"));
    }

    @Test
    void aHundredThousandFiles_resolvesOnlyWhatTheDeviceNeeds() throws Exception {
        f = SyncFixture.ofExample(tmp, "edge-02");
        f.origin.commitManyFiles("bulk", "archive/bulk", 100_000);
        String head = pollHead();

        assertThat(f.preparer.prepare(head)).isInstanceOfSatisfying(Preparation.Ready.class,
                ready -> assertThat(ready.resolution().workload().name()).isEqualTo("sensor-logger"));
        try (var files = Files.walk(f.state.resolve("revisions/" + head))) {
            assertThat(files.count()).isLessThan(20);
        }
    }

    private Preparer nextProcess() {
        return new Preparer(f.mirror, f.store, new HostResolver(CronCheck.LENIENT), f.unpacker, "edge-01", InFlight.open(f.state));
    }

    @Test
    void revisionTheAgentDiedOnThreeTimes_isQuarantined_andHeldOffAsInvalid() throws Exception {
        f = SyncFixture.ofExample(tmp, "edge-01");
        String head = pollHead();
        for (int attempt = 1; attempt <= InFlight.QUARANTINE_AFTER; attempt++) {
            Preparer process = nextProcess();
            assertThat(process.quarantineIfDue()).isEmpty();
            process.begin(InFlight.Step.PREPARE, head); // and the process dies: no end()
            assertThat(f.state.resolve("in-flight")).hasContent("prepare " + head + " " + attempt);
            assertThat(Files.getPosixFilePermissions(f.state.resolve("in-flight"))).hasSize(2);
        }

        Preparer restarted = nextProcess();

        assertThat(restarted.quarantineIfDue()).contains(head);
        String reason = "quarantined: the agent stopped 3 times in a row while preparing " + head.substring(0, 12)
                + " (out of memory, or killed); it is not tried again: push a newer commit or pin another revision";
        assertThat(restarted.prepare(head)).isInstanceOfSatisfying(Preparation.Invalid.class,
                invalid -> assertThat(invalid.problems()).containsExactly(reason));
        assertThat(f.state.resolve("in-flight")).doesNotExist();
        assertThat(f.state.resolve("revisions/" + head)).doesNotExist();
        assertThat(f.store.events(10)).extracting(Event::type)
                .containsSubsequence("RevisionQuarantined", "StepInterrupted", "StepInterrupted");
        assertThat(f.store.events(10).get(0).message()).isEqualTo(reason);
        assertThat(nextProcess().quarantineIfDue()).isEmpty();
    }

    @Test
    void aStepThatReturns_startsTheCountAgain_andAnotherShaIsCountedApart() throws Exception {
        f = SyncFixture.ofExample(tmp, "edge-01");
        String head = pollHead();
        nextProcess().begin(InFlight.Step.APPLY, head);
        nextProcess().begin(InFlight.Step.APPLY, head);

        Preparer third = nextProcess();
        assertThat(third.quarantineIfDue()).isEmpty();
        assertThat(third.prepare(head)).isInstanceOf(Preparation.Ready.class);
        assertThat(f.state.resolve("in-flight")).doesNotExist();

        Preparer fourth = nextProcess();
        fourth.begin(InFlight.Step.APPLY, head);
        assertThat(f.state.resolve("in-flight")).hasContent("apply " + head + " 1");
        fourth.end();
        nextProcess().begin(InFlight.Step.APPLY, "b".repeat(40));
        nextProcess().begin(InFlight.Step.APPLY, head);
        assertThat(f.state.resolve("in-flight")).hasContent("apply " + head + " 1");
    }
}
