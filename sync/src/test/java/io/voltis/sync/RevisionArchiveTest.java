package io.voltis.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.voltis.sync.git.SourceException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A revision restored from the store's archive is the commit's: same folder, same Git ids for
 * every file and folder (so service fingerprints do not change), with a real repo, mirror and H2.
 */
class RevisionArchiveTest {

    @TempDir
    Path tmp;

    SyncFixture f;

    @BeforeEach
    void setUp() throws Exception {
        f = SyncFixture.ofExample(tmp, "edge-01");
        f.origin.commitExecutable("a script", "workloads/hello-web/bin/run.sh", "#!/bin/sh\necho hi\n");
        f.origin.symlink("a link", "workloads/hello-web/bin/run", "run.sh");
        f.origin.commit("nested", Map.of("workloads/hello-web/a/b/c.txt", "deep\n", "workloads/hello-web/a.txt", "top\n"));
        f.poller.poll();
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    @Test
    void walkOfTheUnpackedFolder_isTheCommitsWalk_idsIncluded() throws Exception {
        Preparation.Ready ready = (Preparation.Ready) f.preparer.prepare(f.origin.head());

        assertThat(RevisionArchive.walk(ready.dir())).containsExactlyElementsOf(ready.files());
    }

    @Test
    void aRevisionTheMirrorLacks_isRestoredFromItsArchive_asTheCommitWas() throws Exception {
        String head = f.origin.head();
        Preparation.Ready ready = (Preparation.Ready) f.preparer.prepare(head);
        f.store.saveArchive(head, RevisionArchive.pack(ready));
        f.mirror.close();
        deleteTree(f.state.resolve("mirror"));
        deleteTree(f.state.resolve("revisions"));
        try (var mirror = io.voltis.sync.git.GitMirror.open(f.state.resolve("mirror"), f.state.resolve("ssh"),
                new io.voltis.sync.git.GitSourceSpec("http://127.0.0.1:9/nowhere.git", "main", "",
                        io.voltis.sync.git.GitCredentials.NONE))) {
            Preparer offline = new Preparer(mirror, f.store, new io.voltis.model.HostResolver(io.voltis.model.CronCheck.LENIENT),
                    f.unpacker, "edge-01");

            Preparation restored = offline.prepare(head);

            assertThat(restored).isInstanceOf(Preparation.Ready.class);
            Preparation.Ready r = (Preparation.Ready) restored;
            assertThat(r.files()).containsExactlyElementsOf(ready.files());
            assertThat(r.resolution().device()).isEqualTo(ready.resolution().device());
            assertThat(new String(r.deviceFile())).isEqualTo(new String(ready.deviceFile()));
            assertThat(Files.readString(r.dir().resolve("a/b/c.txt"))).isEqualTo("deep\n");
            assertThat(Files.isExecutable(r.dir().resolve("bin/run.sh"))).isTrue();
            assertThat(Files.readSymbolicLink(r.dir().resolve("bin/run"))).isEqualTo(Path.of("run.sh"));
            assertThat(f.state.resolve("revisions")).isDirectoryNotContaining(p -> p.getFileName().toString().startsWith(".tmp-"));

            String unknown = "0123456789abcdef0123456789abcdef01234567";
            assertThatThrownBy(() -> offline.prepare(unknown)).isInstanceOf(SourceException.class);
        }
    }

    @Test
    void anArchiveWithoutItsDeviceFile_isRefusedWithWhy() throws Exception {
        String head = f.origin.head();
        Preparation.Ready ready = (Preparation.Ready) f.preparer.prepare(head);
        f.store.saveArchive(head, Archives.pack(ready.dir())); // as an older agent kept it

        assertThatThrownBy(() -> RevisionArchive.unpack(new ByteArrayInputStream(f.store.archive(head).orElseThrow()),
                tmp.resolve("out"))).hasMessageContaining("holds no device file");
    }

    static void deleteTree(Path dir) throws java.io.IOException {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
