package io.voltis.sync.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.TransportConfigCallback;
import org.eclipse.jgit.api.errors.TransportException;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GitSshServerTest {

    @TempDir
    Path tmp;

    @Test
    void knownHosts_jgitClone_checksOutHead() throws Exception {
        try (TestRepo origin = TestRepo.create(tmp.resolve("origin.git"));
                GitSshServer server = new GitSshServer(origin, tmp.resolve("ssh"));
                SshdSessionFactory ssh = strictFactory(server, server.knownHosts())) {
            String sha = origin.commit("one", Map.of("app/config.yaml", "port: 80\n"));

            try (Git clone = Git.cloneRepository().setURI(server.url()).setDirectory(tmp.resolve("c").toFile())
                    .setTransportConfigCallback(using(ssh)).call()) {
                assertThat(clone.getRepository().resolve("HEAD").name()).isEqualTo(sha);
            }
            assertThat(Files.readString(tmp.resolve("c/app/config.yaml"))).isEqualTo("port: 80\n");
            assertThat(server.url()).isEqualTo("ssh://git@127.0.0.1:" + server.port() + "/repo.git");
        }
    }

    @Test
    void wrongOrEmptyKnownHosts_strictChecking_serverKeyDidNotValidate() throws Exception {
        try (TestRepo origin = TestRepo.create(tmp.resolve("origin.git"));
                GitSshServer server = new GitSshServer(origin, tmp.resolve("ssh"))) {
            origin.commit("one", Map.of("f", "1"));
            for (Path knownHosts : List.of(server.wrongKnownHosts(), server.emptyKnownHosts())) {
                String before = Files.readString(knownHosts);
                try (SshdSessionFactory ssh = strictFactory(server, knownHosts)) {
                    assertThatThrownBy(() -> Git.lsRemoteRepository().setRemote(server.url())
                            .setTransportConfigCallback(using(ssh)).call())
                            .isInstanceOf(TransportException.class)
                            .hasMessageContaining("Server key did not validate");
                }
                assertThat(Files.readString(knownHosts)).isEqualTo(before);
            }
        }
    }

    @Test
    void files_clientKeyIsPrivateOpenSshKey_knownHostsNamesHostAndPort() throws Exception {
        try (TestRepo origin = TestRepo.create(tmp.resolve("origin.git"));
                GitSshServer server = new GitSshServer(origin, tmp.resolve("ssh"))) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(server.clientKey())))
                    .isEqualTo("rw-------");
            assertThat(Files.readString(server.clientKey())).startsWith("-----BEGIN OPENSSH PRIVATE KEY-----");
            assertThat(Files.readString(server.knownHosts()))
                    .startsWith("[127.0.0.1]:" + server.port() + " ecdsa-sha2-nistp256 ");
            assertThat(Files.readString(server.wrongKnownHosts()))
                    .startsWith("[127.0.0.1]:" + server.port() + " ecdsa-sha2-nistp256 ")
                    .isNotEqualTo(Files.readString(server.knownHosts()));
            assertThat(server.emptyKnownHosts()).isEmptyFile();
        }
    }

    @Test
    void openSshClient_gitCliLsRemote_acceptsKeyAndKnownHostsFiles() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/ssh")), "OpenSSH client not installed");
        try (TestRepo origin = TestRepo.create(tmp.resolve("origin.git"));
                GitSshServer server = new GitSshServer(origin, tmp.resolve("ssh"))) {
            String sha = origin.commit("one", Map.of("f", "1"));
            String sshCommand = "ssh -F /dev/null -o BatchMode=yes -o IdentitiesOnly=yes -o StrictHostKeyChecking=yes"
                    + " -i " + server.clientKey() + " -o UserKnownHostsFile=" + server.knownHosts();

            GitCli.Result ls = new GitCli(tmp).run(tmp, Map.of("GIT_SSH_COMMAND", sshCommand),
                    "ls-remote", server.url(), "refs/heads/main");

            assertThat(ls.exitCode()).as(ls.output()).isZero();
            assertThat(ls.output()).contains(sha + "\trefs/heads/main");
        }
    }

    /** A client as the research note prescribes: strict host checking against one known_hosts file. */
    private SshdSessionFactory strictFactory(GitSshServer server, Path knownHosts) throws Exception {
        Path home = Files.createDirectories(tmp.resolve("home"));
        Path sshDir = Files.createDirectories(home.resolve(".ssh"));
        Path config = Files.writeString(Files.createTempFile(sshDir, "config", ""),
                "Host *\n  StrictHostKeyChecking yes\n  IdentitiesOnly yes\n  IdentityFile " + server.clientKey()
                        + "\n  UserKnownHostsFile " + knownHosts + "\n");
        return new SshdSessionFactoryBuilder()
                .setHomeDirectory(home.toFile())
                .setSshDirectory(sshDir.toFile())
                .setConfigFile(dir -> config.toFile())
                .setDefaultIdentities(dir -> List.of(server.clientKey()))
                .setDefaultKnownHostsFiles(dir -> List.of(knownHosts))
                .setPreferredAuthentications("publickey")
                .setConnectorFactory(null) // no ssh-agent
                .build(null);
    }

    private static TransportConfigCallback using(SshdSessionFactory ssh) {
        return transport -> ((SshTransport) transport).setSshSessionFactory(ssh);
    }
}
