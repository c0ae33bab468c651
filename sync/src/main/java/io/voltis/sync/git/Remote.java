package io.voltis.sync.git;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import org.eclipse.jgit.api.TransportConfigCallback;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.TransportHttp;
import org.eclipse.jgit.transport.http.HttpConnectionFactory;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;

/**
 * How to reach the remote: its parsed URL, a credentials provider for HTTP, and for SSH a
 * session factory that knows only the configured key and known_hosts file, with strict host
 * key checking (an unknown or changed key fails, nothing is ever added to known_hosts).
 */
final class Remote implements AutoCloseable {

    final URIish uri;
    final boolean local;
    final CredentialsProvider credentials;
    private final SshdSessionFactory ssh;
    private final HttpConnectionFactory https;

    private Remote(URIish uri, boolean local, CredentialsProvider credentials, SshdSessionFactory ssh,
                   HttpConnectionFactory https) {
        this.uri = uri;
        this.local = local;
        this.credentials = credentials;
        this.ssh = ssh;
        this.https = https;
    }

    static Remote of(GitSourceSpec spec, Path sshDir) throws SourceException {
        URIish uri;
        try {
            uri = new URIish(spec.url());
        } catch (java.net.URISyntaxException e) {
            throw new SourceException(Reason.LOCAL_ERROR, "'" + spec.displayUrl() + "' is not a Git URL");
        }
        String scheme = uri.getScheme();
        boolean local = scheme == null && uri.getHost() == null || "file".equals(scheme);
        boolean isSsh = "ssh".equals(scheme) || (scheme == null && uri.getHost() != null);
        CredentialsProvider credentials = null;
        SshdSessionFactory ssh = null;
        if (spec.credentials() instanceof GitCredentials.Basic basic) {
            // JGit resets a provider after the server refuses it, and a UsernamePasswordCredentialsProvider then
            // forgets its password for good: every later poll said "no CredentialsProvider has been registered".
            credentials = new UsernamePasswordCredentialsProvider(basic.username(), basic.password()) {
                @Override
                public void reset(org.eclipse.jgit.transport.URIish uri) {
                    // keep the configured credentials: the next poll offers them again
                }
            };
        }
        if (isSsh) {
            if (!(spec.credentials() instanceof GitCredentials.SshKey key)) {
                throw new SourceException(Reason.LOCAL_ERROR, "an SSH URL needs a private key and a known_hosts file");
            }
            ssh = sshFactory(key, sshDir);
        }
        HttpConnectionFactory https = spec.caFile() == null ? null : PrivateCa.factory(spec.caFile());
        return new Remote(uri, local, credentials, ssh, https);
    }

    /** The local repository directory of a file:// or plain-path remote. */
    Path localPath() {
        return Path.of(uri.getPath());
    }

    TransportConfigCallback configure() {
        return transport -> {
            if (transport instanceof SshTransport sshTransport && ssh != null) {
                sshTransport.setSshSessionFactory(ssh);
            }
            if (transport instanceof TransportHttp http && https != null) {
                http.setHttpConnectionFactory(https);
            }
            transport.setTimeout(30);
        };
    }

    private static SshdSessionFactory sshFactory(GitCredentials.SshKey key, Path sshDir) throws SourceException {
        try {
            Files.createDirectories(sshDir);
            Files.setPosixFilePermissions(sshDir, PosixFilePermissions.fromString("rwx------"));
            Path config = sshDir.resolve("config");
            // NOTE: StrictHostKeyChecking yes is what makes an unknown host key an error, whatever else is set.
            Files.writeString(config, "Host *\n"
                    + "  StrictHostKeyChecking yes\n"
                    + "  IdentitiesOnly yes\n"
                    + "  IdentityFile " + key.identity().toAbsolutePath() + "\n"
                    + "  UserKnownHostsFile " + key.knownHosts().toAbsolutePath() + "\n"
                    + "  PreferredAuthentications publickey\n");
            Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-------"));
            return new SshdSessionFactoryBuilder()
                    .setHomeDirectory(sshDir.toFile())
                    .setSshDirectory(sshDir.toFile())
                    .setConfigFile(dir -> config.toFile())
                    .setDefaultIdentities(dir -> List.of(key.identity().toAbsolutePath()))
                    .setDefaultKnownHostsFiles(dir -> List.of(key.knownHosts().toAbsolutePath()))
                    .setPreferredAuthentications("publickey")
                    .build(null);
        } catch (IOException e) {
            throw new SourceException(Reason.LOCAL_ERROR, "cannot prepare SSH in " + sshDir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (ssh != null) {
            ssh.close();
        }
    }
}
