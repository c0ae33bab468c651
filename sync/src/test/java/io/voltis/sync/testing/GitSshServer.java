package io.voltis.sync.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.List;

import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.server.subsystem.SubsystemFactory;
import org.eclipse.jgit.junit.ssh.SshTestGitServer;
import org.eclipse.jgit.lib.Repository;

/**
 * A real SSH Git server (Apache MINA sshd through JGit's {@link SshTestGitServer}) on
 * {@code 127.0.0.1} (random port), serving one {@link TestRepo} to user {@code git} with one
 * client key. Fresh EC (P-256) host and client keys are generated per instance.
 *
 * <p>Guarantees: {@link #clientKey()} is an unencrypted OpenSSH-format private key with mode 0600,
 * usable by JGit and by OpenSSH's {@code ssh -i}. {@link #knownHosts()} holds exactly the
 * {@code [127.0.0.1]:PORT <key>} line for this server; {@link #wrongKnownHosts()} holds the same
 * host with another key; {@link #emptyKnownHosts()} is an empty file. Any path after the port
 * reaches the one repository; no SFTP or shell is offered. The server reads the repository's
 * config per connection, so {@link TestRepo#allowAnySha1InWant()} applies to SSH too.
 */
public final class GitSshServer implements AutoCloseable {

    private static final String USER = "git";

    private final SshTestGitServer server;
    private final int port;
    private final Path clientKey;
    private final Path knownHosts;
    private final Path wrongKnownHosts;
    private final Path emptyKnownHosts;

    /** Generates keys and known_hosts files into {@code dir} (created if needed) and starts serving {@code repo}. */
    public GitSshServer(TestRepo repo, Path dir) {
        this(repo, dir, false);
    }

    /**
     * With {@code ed25519}, the host and client keys are ed25519 keys made by OpenSSH's own
     * {@code ssh-keygen} (the kind docs/operations.md recommends), read back through MINA sshd;
     * otherwise fresh EC (P-256) keys made in the JVM.
     */
    public GitSshServer(TestRepo repo, Path dir, boolean ed25519) {
        try {
            Files.createDirectories(dir);
            KeyPair host = ed25519 ? sshKeygen(dir.resolve("host_ed25519")) : newKeyPair();
            KeyPair client;
            if (ed25519) {
                clientKey = dir.resolve("id_ed25519");
                client = sshKeygen(clientKey);
            } else {
                client = newKeyPair();
                clientKey = writePrivateKey(client, dir.resolve("id_ecdsa"));
            }
            server = new LoopbackServer(client.getPublic(), repo.repository(), host);
            port = server.start();
            knownHosts = Files.writeString(dir.resolve("known_hosts"), hostLine(port, host.getPublic()));
            wrongKnownHosts = Files.writeString(dir.resolve("known_hosts.wrong"),
                    hostLine(port, newKeyPair().getPublic()));
            emptyKnownHosts = Files.writeString(dir.resolve("known_hosts.empty"), "");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start SSH server in " + dir, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate SSH keys", e);
        }
    }

    /** {@code ssh://git@127.0.0.1:PORT/repo.git}. */
    public String url() {
        return "ssh://" + USER + "@127.0.0.1:" + port + "/repo.git";
    }

    public int port() {
        return port;
    }

    /** The client's private key (OpenSSH format, 0600), the only key the server accepts. */
    public Path clientKey() {
        return clientKey;
    }

    /** A known_hosts file trusting this server's host key. */
    public Path knownHosts() {
        return knownHosts;
    }

    /** A known_hosts file listing a different key for {@code [127.0.0.1]:PORT}. */
    public Path wrongKnownHosts() {
        return wrongKnownHosts;
    }

    /** An empty known_hosts file: the host is unknown. */
    public Path emptyKnownHosts() {
        return emptyKnownHosts;
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** NOTE: the known_hosts format OpenSSH and JGit expect for a non-default port. */
    private static String hostLine(int port, PublicKey key) {
        return "[127.0.0.1]:" + port + " " + PublicKeyEntry.toString(key) + "\n";
    }

    /** {@code ssh-keygen -t ed25519} into {@code file} (0600, no passphrase), read back as a key pair. */
    private static KeyPair sshKeygen(Path file) throws IOException, GeneralSecurityException {
        Process keygen = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "voltis-test",
                "-f", file.toString()).redirectErrorStream(true).start();
        try {
            String output = new String(keygen.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (keygen.waitFor() != 0) {
                throw new IOException("ssh-keygen failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while ssh-keygen ran", e);
        }
        try (var in = Files.newInputStream(file)) {
            Iterable<KeyPair> pairs = org.apache.sshd.common.util.security.SecurityUtils.loadKeyPairIdentities(
                    null, org.apache.sshd.common.NamedResource.ofName(file.toString()), in, null);
            return pairs.iterator().next();
        }
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static Path writePrivateKey(KeyPair pair, Path file) throws IOException, GeneralSecurityException {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (OutputStream out = Files.newOutputStream(file)) {
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(pair, "voltis-test", null, out);
        }
        return file;
    }

    /** The JGit test server bound to loopback only, without its SFTP subsystem. */
    private static final class LoopbackServer extends SshTestGitServer {
        LoopbackServer(PublicKey user, Repository repository, KeyPair hostKey) {
            super(USER, user, repository, hostKey);
            server.setHost("127.0.0.1");
        }

        @Override
        protected List<SubsystemFactory> configureSubsystems() {
            return List.of();
        }
    }
}
