package io.voltis.sync.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.voltis.sync.testing.GitHttpServer;
import io.voltis.sync.testing.GitSshServer;
import io.voltis.sync.testing.TestRepo;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mirror against real repositories over file://, smart HTTP and SSH served in the test. */
class GitMirrorTest {

    @TempDir
    Path tmp;

    TestRepo origin;
    String first;

    @BeforeEach
    void origin() {
        origin = TestRepo.create(tmp.resolve("origin.git"));
        first = origin.commit("first", Map.of("devices/d.yaml", "workload: w\n"));
    }

    @AfterEach
    void close() {
        origin.close();
    }

    private GitMirror mirror(String url, GitCredentials credentials) throws SourceException {
        return GitMirror.open(tmp.resolve("state/mirror"), tmp.resolve("state/ssh"),
                new GitSourceSpec(url, "main", "", credentials));
    }

    @Test
    void fileUrl_headCheckThenShallowFetch() throws Exception {
        String second = origin.commit("second", Map.of("devices/d.yaml", "workload: w2\n"));
        try (GitMirror mirror = mirror(origin.fileUrl(), GitCredentials.NONE)) {
            assertThat(mirror.remoteHead()).isEqualTo(second);
            assertThat(mirror.localHead()).isEmpty();

            GitMirror.Fetched fetched = mirror.fetchHead();

            assertThat(fetched.head()).isEqualTo(second);
            assertThat(mirror.has(second)).isTrue();
            assertThat(mirror.has(first)).as("first fetch is shallow").isFalse();
            assertThat(mirror.commitInfo(second).message()).isEqualTo("second");
        }
    }

    @Test
    void plainPath_worksLikeFileUrl() throws Exception {
        try (GitMirror mirror = mirror(origin.dir().toString(), GitCredentials.NONE)) {
            assertThat(mirror.remoteHead()).isEqualTo(first);
            assertThat(mirror.fetchHead().head()).isEqualTo(first);
        }
    }

    @Test
    void incrementalFetch_bringsOnlyTheNewCommit() throws Exception {
        try (GitMirror mirror = mirror(origin.fileUrl(), GitCredentials.NONE)) {
            mirror.fetchHead();
            String second = origin.commit("second", Map.of("workloads/w/big.txt", "x".repeat(100_000)));
            String third = origin.commit("third", Map.of("workloads/w/one.txt", "changed\n"));

            GitMirror.Fetched fetched = mirror.fetchHead();

            assertThat(fetched.head()).isEqualTo(third);
            assertThat(mirror.has(second)).isTrue();
            assertThat(mirror.isAncestor(second, third)).isTrue();
        }
    }

    @Test
    void branchDeleted_isBranchNotFound() throws Exception {
        origin.commit("on other", Map.of("x", "y"));
        origin.resetBranch("other", origin.head());
        origin.deleteBranch("main");
        try (GitMirror mirror = mirror(origin.fileUrl(), GitCredentials.NONE)) {
            assertThatThrownBy(mirror::remoteHead)
                    .isInstanceOfSatisfying(SourceException.class, e -> assertThat(e.reason()).isEqualTo(Reason.BRANCH_NOT_FOUND))
                    .hasMessage("branch 'main' not found in " + origin.fileUrl());
        }
    }

    @Test
    void repositoryGone_isUnreachable() throws Exception {
        try (GitMirror mirror = mirror(tmp.resolve("nowhere.git").toUri().toString(), GitCredentials.NONE)) {
            assertThatThrownBy(mirror::remoteHead)
                    .isInstanceOfSatisfying(SourceException.class, e -> assertThat(e.reason()).isEqualTo(Reason.GIT_UNREACHABLE))
                    .hasMessageContaining("no Git repository at");
        }
    }

    @Test
    void http_withToken_pollsAndFetches() throws Exception {
        try (GitHttpServer server = GitHttpServer.withToken(origin, "s3cret-token");
             GitMirror mirror = mirror(server.url(), new GitCredentials.Basic("voltis", "s3cret-token"))) {
            assertThat(mirror.remoteHead()).isEqualTo(first);
            assertThat(mirror.fetchHead().head()).isEqualTo(first);
        }
    }

    @Test
    void http_wrongPassword_isAuthenticationFailed_withoutTheSecret() throws Exception {
        try (GitHttpServer server = GitHttpServer.withBasicAuth(origin, "ops", "right");
             GitMirror mirror = mirror(server.url(), new GitCredentials.Basic("ops", "wrong-secret"))) {
            assertThatThrownBy(mirror::remoteHead)
                    .isInstanceOfSatisfying(SourceException.class, e -> assertThat(e.reason()).isEqualTo(Reason.AUTHENTICATION_FAILED))
                    .hasMessageNotContaining("wrong-secret");
        }
    }

    @Test
    void http_tokenRotatedOnTheServer_isAuthenticationFailed_sayingTheCredentialsWereRefused() throws Exception {
        java.util.concurrent.atomic.AtomicReference<String> token = new java.util.concurrent.atomic.AtomicReference<>("old-token");
        try (GitHttpServer server = GitHttpServer.withRotatingToken(origin, token::get);
             GitMirror mirror = mirror(server.url(), new GitCredentials.Basic("voltis", "old-token"))) {
            assertThat(mirror.remoteHead()).isEqualTo(first);
            assertThat(mirror.fetchHead().head()).isEqualTo(first);
            token.set("new-token");
            for (int poll = 0; poll < 2; poll++) {
                assertThatThrownBy(mirror::remoteHead)
                        .isInstanceOfSatisfying(SourceException.class, e -> assertThat(e.reason()).isEqualTo(Reason.AUTHENTICATION_FAILED))
                        .hasMessageContaining("the server refused the credentials")
                        .hasMessageNotContaining("CredentialsProvider")
                        .hasMessageNotContaining("old-token");
            }
        }
    }

    @Test
    void https_privateCa_trustedThroughTheCaFile_andRefusedWithoutIt() throws Exception {
        io.voltis.sync.testing.TestCa ca = io.voltis.sync.testing.TestCa.create(tmp.resolve("pki"));
        GitCredentials token = new GitCredentials.Basic("voltis", "s3cret-token");
        try (GitHttpServer server = GitHttpServer.httpsWithToken(origin, ca.serverContext(), "s3cret-token")) {
            assertThat(server.url()).startsWith("https://127.0.0.1:");
            try (GitMirror mirror = GitMirror.open(tmp.resolve("mirror-ca"), tmp.resolve("ssh"),
                    new GitSourceSpec(server.url(), "main", "", token, ca.caPem()))) {
                assertThat(mirror.remoteHead()).isEqualTo(first);
                assertThat(mirror.fetchHead().head()).isEqualTo(first);
            }
            try (GitMirror jvmCas = GitMirror.open(tmp.resolve("mirror-jvm"), tmp.resolve("ssh"),
                    new GitSourceSpec(server.url(), "main", "", token))) {
                assertThatThrownBy(jvmCas::remoteHead).isInstanceOf(SourceException.class)
                        .hasMessageNotContaining("s3cret-token");
            }
        }
    }

    @Test
    void http_credentialInUrl_neverInTheMessage() throws Exception {
        try (GitHttpServer server = GitHttpServer.withBasicAuth(origin, "ops", "right")) {
            String url = server.url().replace("http://", "http://ops:leaked-password@");
            server.stop();
            try (GitMirror mirror = mirror(url, GitCredentials.NONE)) {
                assertThat(mirror.spec().displayUrl()).doesNotContain("leaked-password").doesNotContain("ops@");
                assertThatThrownBy(mirror::remoteHead)
                        .isInstanceOfSatisfying(SourceException.class, e -> assertThat(e.reason()).isEqualTo(Reason.GIT_UNREACHABLE))
                        .hasMessageNotContaining("leaked-password");
            }
        }
    }

    @Test
    void http_serverStopped_isUnreachable_thenRecovers() throws Exception {
        try (GitHttpServer server = GitHttpServer.open(origin);
             GitMirror mirror = mirror(server.url(), GitCredentials.NONE)) {
            assertThat(mirror.remoteHead()).isEqualTo(first);
            server.stop();
            assertThatThrownBy(mirror::remoteHead)
                    .isInstanceOfSatisfying(SourceException.class, e -> assertThat(e.reason()).isEqualTo(Reason.GIT_UNREACHABLE));
            server.restart();
            assertThat(mirror.remoteHead()).isEqualTo(first);
        }
    }

    @Test
    void ssh_withKnownHost_fetches() throws Exception {
        try (GitSshServer server = new GitSshServer(origin, tmp.resolve("sshd"));
             GitMirror mirror = mirror(server.url(), new GitCredentials.SshKey(server.clientKey(), server.knownHosts()))) {
            assertThat(mirror.remoteHead()).isEqualTo(first);
            assertThat(mirror.fetchHead().head()).isEqualTo(first);
        }
    }

    @Test
    void ssh_ed25519ClientAndHostKeysFromSshKeygen_fetch() throws Exception {
        try (GitSshServer server = new GitSshServer(origin, tmp.resolve("sshd"), true);
             GitMirror mirror = mirror(server.url(), new GitCredentials.SshKey(server.clientKey(), server.knownHosts()))) {
            assertThat(Files.readString(server.clientKey())).startsWith("-----BEGIN OPENSSH PRIVATE KEY-----");
            assertThat(Files.readString(server.knownHosts())).contains(" ssh-ed25519 ");
            assertThat(mirror.remoteHead()).isEqualTo(first);
            assertThat(mirror.fetchHead().head()).isEqualTo(first);
        }
    }

    @Test
    void ssh_unknownHostKey_isRejected_andKnownHostsUntouched() throws Exception {
        try (GitSshServer server = new GitSshServer(origin, tmp.resolve("sshd"))) {
            Path known = server.emptyKnownHosts();
            byte[] before = Files.readAllBytes(known);
            try (GitMirror mirror = mirror(server.url(), new GitCredentials.SshKey(server.clientKey(), known))) {
                assertThatThrownBy(mirror::remoteHead)
                        .isInstanceOfSatisfying(SourceException.class, e -> assertThat(e.reason()).isEqualTo(Reason.HOST_KEY_REJECTED))
                        .hasMessageContaining("Server key did not validate");
            }
            assertThat(Files.readAllBytes(known)).isEqualTo(before);
        }
    }

    @Test
    void ssh_aHostKeyThatChangesBetweenPolls_isRejectedOnTheNextPoll_noSessionIsHeld() throws Exception {
        try (GitSshServer server = new GitSshServer(origin, tmp.resolve("sshd"))) {
            Path known = tmp.resolve("known_hosts");
            Files.copy(server.knownHosts(), known);
            try (GitMirror mirror = mirror(server.url(), new GitCredentials.SshKey(server.clientKey(), known))) {
                assertThat(mirror.remoteHead()).isEqualTo(first);
                assertThat(mirror.remoteHead()).isEqualTo(first);
                // the key the device trusts for the server is no longer the one it shows: as after a server's
                // key changed, or a machine in the middle; a session kept open from before would not notice
                Files.copy(server.wrongKnownHosts(), known, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                assertThatThrownBy(mirror::remoteHead)
                        .isInstanceOfSatisfying(SourceException.class, e -> assertThat(e.reason()).isEqualTo(Reason.HOST_KEY_REJECTED));
            }
        }
    }

    @Test
    void ssh_changedHostKey_isRejected() throws Exception {
        try (GitSshServer server = new GitSshServer(origin, tmp.resolve("sshd"));
             GitMirror mirror = mirror(server.url(), new GitCredentials.SshKey(server.clientKey(), server.wrongKnownHosts()))) {
            assertThatThrownBy(mirror::remoteHead)
                    .isInstanceOfSatisfying(SourceException.class, e -> assertThat(e.reason()).isEqualTo(Reason.HOST_KEY_REJECTED));
        }
    }

    @Test
    void ssh_withoutKey_isAClearConfigurationError() {
        assertThatThrownBy(() -> mirror("ssh://git@127.0.0.1:1/repo.git", GitCredentials.NONE))
                .isInstanceOfSatisfying(SourceException.class, e -> assertThat(e.reason()).isEqualTo(Reason.LOCAL_ERROR))
                .hasMessage("an SSH URL needs a private key and a known_hosts file");
    }

    @Test
    void pinnedCommitNotFetchedYet_isFetchedById() throws Exception {
        String second = origin.commit("second", Map.of("a", "b"));
        origin.commit("third", Map.of("a", "c"));
        try (GitMirror mirror = mirror(origin.fileUrl(), GitCredentials.NONE)) {
            mirror.fetchHead();
            assertThat(mirror.has(second)).isFalse();

            mirror.fetchCommit(second);

            assertThat(mirror.has(second)).isTrue();
            try (Git git = Git.open(tmp.resolve("state/mirror").toFile())) {
                assertThat(git.getRepository().exactRef("refs/voltis/keep/" + second)).isNotNull();
            }
        }
    }

    @Test
    void pinnedCommitGoneFromTheServer_isRevisionNotFound() throws Exception {
        String dropped = origin.commit("dropped", Map.of("a", "b"));
        origin.resetBranch("main", first);
        origin.pruneUnreachable();
        origin.allowAnySha1InWant();
        try (GitMirror mirror = mirror(origin.fileUrl(), GitCredentials.NONE)) {
            mirror.fetchHead();

            assertThatThrownBy(() -> mirror.fetchCommit(dropped))
                    .isInstanceOfSatisfying(SourceException.class, e -> assertThat(e.reason()).as(e.getMessage()).isEqualTo(Reason.REVISION_NOT_FOUND))
                    .hasMessageContaining(dropped);
            assertThat(mirror.localHead()).contains(first);
        }
    }

    @Test
    void tags_resolveToTheirCommit() throws Exception {
        String second = origin.commit("second", Map.of("a", "b"));
        origin.tag("v1", first);
        origin.annotatedTag("v2", second, "release 2");
        try (GitMirror mirror = mirror(origin.fileUrl(), GitCredentials.NONE)) {
            assertThat(mirror.remoteTag("v1")).contains(first);
            assertThat(mirror.remoteTag("v2")).contains(second);
            assertThat(mirror.remoteTag("v3")).isEmpty();
        }
    }
}
