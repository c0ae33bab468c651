package io.voltis.sync.git;

import java.nio.file.Path;

/**
 * How the agent proves itself to the Git server. Secrets are read from files or the
 * environment at the edge (never from a flag), and {@link #toString()} never shows them.
 */
public sealed interface GitCredentials {

    /** No credentials: file://, public HTTPS, or SSH with no key (rare). */
    record None() implements GitCredentials {
    }

    /** HTTP Basic: a user and a password, or any user name and an access token as password. */
    record Basic(String username, String password) implements GitCredentials {
        @Override
        public String toString() {
            return "Basic[username=" + username + ", password=***]";
        }
    }

    /** SSH: a private key file and a known_hosts file checked strictly. */
    record SshKey(Path identity, Path knownHosts) implements GitCredentials {
    }

    GitCredentials NONE = new None();
}
