package io.voltis.sync.git;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Map;
import java.util.Set;

/**
 * Where Git credentials come from: files named by the configuration, or the environment.
 * Never a flag value, which {@code ps} would show. Errors name the file, never its content.
 *
 * <p>NOTE: the environment variable names are documented in docs/sync.md.
 */
public final class CredentialSources {

    public static final String ENV_USERNAME = "VOLTIS_GIT_USERNAME";
    public static final String ENV_PASSWORD = "VOLTIS_GIT_PASSWORD";
    public static final String ENV_TOKEN = "VOLTIS_GIT_TOKEN";
    /** The user name sent with a token when none is configured; Git hosts ignore it. */
    public static final String TOKEN_USERNAME = "voltis-agent";

    private CredentialSources() {
    }

    /**
     * The credentials for {@code url}. For SSH URLs: {@code sshKey} and {@code knownHosts}, both
     * required. For HTTP(S): a password or token from {@code passwordFile}, else from the
     * environment ({@code VOLTIS_GIT_TOKEN}, then {@code VOLTIS_GIT_PASSWORD}); none is fine
     * for a public repo. {@code username} may be null.
     */
    public static GitCredentials load(String url, String username, Path passwordFile, Path sshKey, Path knownHosts,
                                      Map<String, String> env) throws SourceException {
        return load(url, username, passwordFile, sshKey, knownHosts, env, false);
    }

    /**
     * As {@link #load(String, String, Path, Path, Path, Map)}; a password or token for a plain
     * {@code http://} URL, which anyone on the path could read, is refused unless
     * {@code allowInsecureHttp} (the setting {@code allow-insecure-http}) says the network is trusted.
     */
    public static GitCredentials load(String url, String username, Path passwordFile, Path sshKey, Path knownHosts,
                                      Map<String, String> env, boolean allowInsecureHttp) throws SourceException {
        if (isSsh(url)) {
            if (sshKey == null || knownHosts == null) {
                throw new SourceException(Reason.LOCAL_ERROR, "an SSH URL needs --ssh-key and --known-hosts");
            }
            readable(sshKey, "SSH key");
            readable(knownHosts, "known_hosts file");
            return new GitCredentials.SshKey(sshKey, knownHosts);
        }
        String user = username != null ? username : env.get(ENV_USERNAME);
        String secret = null;
        if (passwordFile != null) {
            secret = secretFile(passwordFile);
        } else if (env.get(ENV_TOKEN) != null && !env.get(ENV_TOKEN).isBlank()) {
            secret = env.get(ENV_TOKEN).strip();
        } else if (env.get(ENV_PASSWORD) != null && !env.get(ENV_PASSWORD).isBlank()) {
            secret = env.get(ENV_PASSWORD).strip();
        }
        if (secret == null) {
            return GitCredentials.NONE;
        }
        if (url.regionMatches(true, 0, "http://", 0, 7) && !allowInsecureHttp) {
            throw new SourceException(Reason.LOCAL_ERROR, "refusing to send the Git password or token over plain http:// to "
                    + Redact.url(url) + ": use https://, or set allow-insecure-http: true where the network is trusted");
        }
        return new GitCredentials.Basic(user == null || user.isBlank() ? TOKEN_USERNAME : user, secret);
    }

    static boolean isSsh(String url) {
        return url.startsWith("ssh://") || url.matches("^[^/:@]+@[^/:]+:.*");
    }

    private static String secretFile(Path file) throws SourceException {
        readable(file, "password file");
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            if (perms.contains(PosixFilePermission.OTHERS_READ)) {
                throw new SourceException(Reason.LOCAL_ERROR, "password file " + file
                        + " is readable by everyone; chmod 600 it");
            }
            String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).strip();
            if (text.isEmpty() || text.contains("\n")) {
                throw new SourceException(Reason.LOCAL_ERROR, "password file " + file
                        + " must hold one line: the password or token");
            }
            return text;
        } catch (IOException | UnsupportedOperationException e) {
            throw new SourceException(Reason.LOCAL_ERROR, "cannot read password file " + file, e);
        }
    }

    private static void readable(Path file, String what) throws SourceException {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new SourceException(Reason.LOCAL_ERROR, what + " " + file + " does not exist or is not readable");
        }
    }
}
