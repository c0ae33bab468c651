package io.voltis.agent.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSyncTest {

    @TempDir
    Path tmp;

    Path root;
    FileSync sync;

    @BeforeEach
    void setUp() throws Exception {
        root = Files.createDirectories(tmp.resolve("root"));
        sync = new FileSync(root, tmp.resolve("state/files.manifest"));
    }

    private DesiredFile file(String target, String text, int mode) {
        return new DesiredFile(root.resolve(target), text.getBytes(StandardCharsets.UTF_8), mode);
    }

    @Test
    void writesWithModeAndFolders_thenNothingWhenNothingChanged() throws Exception {
        FileSync.Changes first = sync.apply(List.of(file("etc/app/app.conf", "port=8080\n", 0640)));

        assertThat(first.written()).containsExactly(root.resolve("etc/app/app.conf"));
        assertThat(root.resolve("etc/app/app.conf")).hasContent("port=8080");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("etc/app/app.conf"))))
                .isEqualTo("rw-r-----");
        assertThat(sync.apply(List.of(file("etc/app/app.conf", "port=8080\n", 0640))).none()).isTrue();
    }

    @Test
    void temporaryFileLeftByAKilledWrite_isRemovedAtTheNextWriteOfThatTarget_othersKept() throws Exception {
        Path etc = Files.createDirectories(root.resolve("etc"));
        Path leftover = Files.writeString(etc.resolve(".db.env.voltis-123456.tmp"), "DB_PASSWORD=from-a-killed-write");
        Path other = Files.writeString(etc.resolve(".db.env.bak"), "not ours");
        Path otherTarget = Files.writeString(etc.resolve(".app.conf.voltis-99.tmp"), "another target's");

        sync.apply(List.of(file("etc/db.env", "DB_PASSWORD=new\n", 0600)));

        assertThat(leftover).doesNotExist();
        assertThat(other).hasContent("not ours");
        assertThat(otherTarget).exists();
        try (var files = Files.list(etc)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("db.env", ".db.env.bak",
                    ".app.conf.voltis-99.tmp");
        }
    }

    @Test
    void editByHand_isPutBack_andAModeChangeToo() throws Exception {
        sync.apply(List.of(file("etc/app.conf", "port=8080\n", 0640)));
        Files.writeString(root.resolve("etc/app.conf"), "port=9999\n");

        assertThat(sync.apply(List.of(file("etc/app.conf", "port=8080\n", 0640))).written()).hasSize(1);
        assertThat(root.resolve("etc/app.conf")).hasContent("port=8080");

        Files.setPosixFilePermissions(root.resolve("etc/app.conf"), PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThat(sync.apply(List.of(file("etc/app.conf", "port=8080\n", 0640))).written()).hasSize(1);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("etc/app.conf")))).isEqualTo("rw-r-----");
    }

    @Test
    void fileNoLongerDeclared_isRemoved_othersLeftAlone() throws Exception {
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/not-ours.conf"), "keep");
        sync.apply(List.of(file("etc/a.conf", "a", 0644), file("etc/b.conf", "b", 0644)));

        FileSync.Changes changes = sync.apply(List.of(file("etc/a.conf", "a", 0644)));

        assertThat(changes.removed()).containsExactly(root.resolve("etc/b.conf"));
        assertThat(root.resolve("etc/b.conf")).doesNotExist();
        assertThat(root.resolve("etc/not-ours.conf")).hasContent("keep");
        assertThat(sync.managed()).containsExactly(root.resolve("etc/a.conf"));
    }

    @Test
    void symlinkedFolderLeavingTheRoot_isRefused() throws Exception {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.createSymbolicLink(root.resolve("etc"), outside);

        assertThatThrownBy(() -> sync.apply(List.of(file("etc/app.conf", "x", 0644))))
                .isInstanceOf(FileStepException.class)
                .hasMessageContaining("resolves outside the root");
        assertThat(outside.resolve("app.conf")).doesNotExist();
    }

    @Test
    void symlinkAtTheTarget_isNotWrittenThrough() throws Exception {
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(tmp.resolve("victim"), "safe");
        Files.createSymbolicLink(root.resolve("etc/app.conf"), tmp.resolve("victim"));

        assertThatThrownBy(() -> sync.apply(List.of(file("etc/app.conf", "x", 0644))))
                .hasMessageContaining("is a symlink");
        assertThat(tmp.resolve("victim")).hasContent("safe");
    }

    @Test
    void folderTheAgentCannotWrite_failsNamingIt() throws Exception {
        Path locked = Files.createDirectories(root.resolve("etc/locked"));
        Process chattr = new ProcessBuilder("chattr", "+i", locked.toString()).redirectErrorStream(true).start();
        assumeTrue(chattr.waitFor() == 0, "chattr +i is not available here (it makes a folder unwritable even for root)");
        try {
            assertThatThrownBy(() -> sync.apply(List.of(file("etc/locked/app.conf", "x", 0644))))
                    .isInstanceOf(FileStepException.class)
                    .hasMessageContaining("etc/locked");
        } finally {
            new ProcessBuilder("chattr", "-i", locked.toString()).start().waitFor();
        }
    }
}
