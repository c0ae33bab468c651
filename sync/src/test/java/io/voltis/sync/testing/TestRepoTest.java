package io.voltis.sync.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestRepoTest {

    @TempDir
    Path tmp;

    @Test
    void commit_thenJGitClone_seesFilesAndHistory() throws Exception {
        try (TestRepo origin = TestRepo.create(tmp.resolve("origin.git"))) {
            String first = origin.commit("first", Map.of("a.txt", "one\n", "dir/b.txt", "two\n"));
            String second = origin.commit("second", Map.of("a.txt", "changed\n"));

            assertThat(origin.head()).isEqualTo(second);
            try (Git clone = Git.cloneRepository().setURI(origin.fileUrl())
                    .setDirectory(tmp.resolve("c").toFile()).call()) {
                assertThat(Files.readString(tmp.resolve("c/a.txt"))).isEqualTo("changed\n");
                assertThat(Files.readString(tmp.resolve("c/dir/b.txt"))).isEqualTo("two\n");
                RevCommit head = clone.log().call().iterator().next();
                assertThat(head.name()).isEqualTo(second);
                assertThat(head.getParent(0).name()).isEqualTo(first);
                assertThat(head.getFullMessage()).isEqualTo("second");
            }
        }
    }

    @Test
    void fromDirectory_gitCliClone_keepsExecutableBitsAndSymlinks() throws Exception {
        Path src = tmp.resolve("src");
        Files.createDirectories(src.resolve("bin"));
        Files.createDirectories(src.resolve("conf"));
        Files.createDirectories(src.resolve("empty"));
        Files.writeString(src.resolve("bin/run.sh"), "#!/bin/sh\necho hi\n");
        Files.setPosixFilePermissions(src.resolve("bin/run.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(src.resolve("conf/app.txt"), "port=8080\n");
        Files.createSymbolicLink(src.resolve("current"), Path.of("conf/app.txt"));

        try (TestRepo origin = TestRepo.fromDirectory(tmp.resolve("origin.git"), src, "import")) {
            GitCli git = new GitCli(Files.createDirectories(tmp.resolve("home")));
            assertThat(git.run(origin.dir(), "fsck", "--strict").exitCode()).isZero();
            GitCli.Result clone = git.run(tmp, "clone", "-q", origin.fileUrl(), "checkout");

            assertThat(clone.exitCode()).as(clone.output()).isZero();
            Path out = tmp.resolve("checkout");
            assertThat(Files.isExecutable(out.resolve("bin/run.sh"))).isTrue();
            assertThat(Files.isExecutable(out.resolve("conf/app.txt"))).isFalse();
            assertThat(Files.readSymbolicLink(out.resolve("current"))).isEqualTo(Path.of("conf/app.txt"));
            assertThat(Files.readString(out.resolve("current"))).isEqualTo("port=8080\n");
            assertThat(out.resolve("empty")).doesNotExist();
        }
    }

    @Test
    void fromDirectory_examplesRepoLayout_keepsWorkloadsAndScriptModes() throws Exception {
        Path layout = Path.of(System.getProperty("voltis.projectRoot", "..")).resolve("examples/repo-layout");
        try (TestRepo origin = TestRepo.fromDirectory(tmp.resolve("origin.git"), layout, "example")) {
            assertThat(blob(origin, "workloads/hello-web/workload.yaml"))
                    .isEqualTo(Files.readString(layout.resolve("workloads/hello-web/workload.yaml")));
            assertThat(mode(origin, "workloads/hello-web/scripts/prepare.sh")).isEqualTo(FileMode.EXECUTABLE_FILE);
            assertThat(mode(origin, "devices/demo.yaml")).isEqualTo(FileMode.REGULAR_FILE);
        }
    }

    @Test
    void delete_folder_removesItsSubtreeOnly() throws Exception {
        try (TestRepo origin = TestRepo.create(tmp.resolve("origin.git"))) {
            origin.commit("add", Map.of("w/a/x.txt", "x", "w/a/deep/y.txt", "y", "w/b.txt", "b"));
            origin.delete("drop folder", "w/a");

            assertThat(mode(origin, "w/a/x.txt")).isNull();
            assertThat(mode(origin, "w/a/deep/y.txt")).isNull();
            assertThat(blob(origin, "w/b.txt")).isEqualTo("b");
            assertThatThrownBy(() -> origin.delete("typo", "w/nope"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("w/nope");
        }
    }

    @Test
    void symlinkAndCommitBytes_storeModesAndExactBytes() throws Exception {
        try (TestRepo origin = TestRepo.create(tmp.resolve("origin.git"))) {
            byte[] binary = {0, (byte) 0xff, 10, 13};
            origin.commitBytes("bin", Map.of("data.bin", binary));
            origin.symlink("link", "latest", "data.bin");

            assertThat(mode(origin, "latest")).isEqualTo(FileMode.SYMLINK);
            assertThat(blob(origin, "latest")).isEqualTo("data.bin");
            assertThat(blobBytes(origin, "data.bin")).isEqualTo(binary);
        }
    }

    @Test
    void gitCliLsRemote_fileUrl_listsMainAndTags() {
        try (TestRepo origin = TestRepo.create(tmp.resolve("origin.git"))) {
            String c1 = origin.commit("one", Map.of("f", "1"));
            origin.tag("v1", c1);
            String tagObject = origin.annotatedTag("v2", c1, "release 2");

            GitCli.Result ls = new GitCli(tmp).run(tmp, "ls-remote", origin.fileUrl());

            assertThat(ls.exitCode()).as(ls.output()).isZero();
            assertThat(ls.output()).contains(
                    c1 + "\tHEAD", c1 + "\trefs/heads/main", c1 + "\trefs/tags/v1",
                    tagObject + "\trefs/tags/v2", c1 + "\trefs/tags/v2^{}");
        }
    }

    @Test
    void resetBranch_dropsLaterCommitFromLsRemote() {
        try (TestRepo origin = TestRepo.create(tmp.resolve("origin.git"))) {
            String kept = origin.commit("kept", Map.of("f", "1"));
            String dropped = origin.commit("dropped", Map.of("f", "2"));

            origin.resetBranch("main", kept);

            GitCli.Result ls = new GitCli(tmp).run(tmp, "ls-remote", origin.fileUrl());
            assertThat(ls.output()).contains(kept + "\trefs/heads/main").doesNotContain(dropped);
            assertThat(origin.head()).isEqualTo(kept);
        }
    }

    @Test
    void deleteBranch_removesItFromLsRemote() {
        try (TestRepo origin = TestRepo.create(tmp.resolve("origin.git"))) {
            String c1 = origin.commit("one", Map.of("f", "1"));
            origin.resetBranch("feature", c1);
            assertThat(origin.head("feature")).isEqualTo(c1);

            origin.deleteBranch("feature");
            origin.deleteBranch("main");

            GitCli.Result ls = new GitCli(tmp).run(tmp, "ls-remote", "--heads", origin.fileUrl());
            assertThat(ls.exitCode()).as(ls.output()).isZero();
            assertThat(ls.output()).isEmpty();
            assertThat(origin.head("feature")).isNull();
            assertThat(origin.head()).isNull();
        }
    }

    @Test
    void pruneUnreachable_droppedCommit_canNoLongerBeFetchedBySha() throws Exception {
        try (TestRepo origin = TestRepo.create(tmp.resolve("origin.git"))) {
            String kept = origin.commit("kept", Map.of("f", "1"));
            String dropped = origin.commit("dropped", Map.of("f", "2"));
            origin.resetBranch("main", kept);
            origin.allowAnySha1InWant();
            assertThat(fetchBySha(origin, dropped, "before")).isTrue(); // dangling but still stored

            origin.pruneUnreachable();

            assertThat(origin.repository().getObjectDatabase().has(ObjectId.fromString(dropped))).isFalse();
            assertThatThrownBy(() -> fetchBySha(origin, dropped, "after"))
                    .hasMessageContaining("want " + dropped + " not valid");
            assertThat(fetchBySha(origin, kept, "kept")).isTrue();
        }
    }

    @Test
    void commitManyFiles_100000_treeWalkFindsOneAndCountsAll() throws Exception {
        try (TestRepo origin = TestRepo.create(tmp.resolve("origin.git"))) {
            origin.commit("base", Map.of("README", "r"));
            origin.commitManyFiles("many", "big", 100_000);

            String name = "big/" + String.format(TestRepo.MANY_FILES_NAME, 54_321);
            assertThat(blob(origin, name)).isEqualTo("file 54321\n");
            assertThat(blob(origin, "README")).isEqualTo("r");
            try (RevWalk rw = new RevWalk(origin.repository());
                    TreeWalk tw = new TreeWalk(origin.repository())) {
                tw.addTree(rw.parseCommit(ObjectId.fromString(origin.head())).getTree());
                tw.setRecursive(true);
                int files = 0;
                while (tw.next()) {
                    files++;
                }
                assertThat(files).isEqualTo(100_001);
            }
        }
    }

    private boolean fetchBySha(TestRepo origin, String sha, String mirrorName) throws Exception {
        try (Git mirror = Git.init().setBare(true).setDirectory(tmp.resolve(mirrorName).toFile()).call()) {
            mirror.fetch().setRemote(origin.fileUrl()).setRefSpecs(new RefSpec(sha)).call();
            return mirror.getRepository().getObjectDatabase().has(ObjectId.fromString(sha));
        }
    }

    private static FileMode mode(TestRepo origin, String path) throws IOException {
        Repository repo = origin.repository();
        try (RevWalk rw = new RevWalk(repo);
                TreeWalk tw = TreeWalk.forPath(repo, path, rw.parseCommit(repo.resolve("main")).getTree())) {
            return tw == null ? null : tw.getFileMode(0);
        }
    }

    private static String blob(TestRepo origin, String path) throws IOException {
        return new String(blobBytes(origin, path), StandardCharsets.UTF_8);
    }

    private static byte[] blobBytes(TestRepo origin, String path) throws IOException {
        Repository repo = origin.repository();
        try (RevWalk rw = new RevWalk(repo); ObjectReader reader = repo.newObjectReader();
                TreeWalk tw = TreeWalk.forPath(reader, path, rw.parseCommit(repo.resolve("main")).getTree())) {
            assertThat(tw).as(path).isNotNull();
            return reader.open(tw.getObjectId(0)).getBytes();
        }
    }
}
