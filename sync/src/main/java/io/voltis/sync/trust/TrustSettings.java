package io.voltis.sync.trust;

import java.nio.file.Path;

/**
 * The device's trust policy as set (DESIGN.md, "Trust: signed commits"): {@code verify},
 * {@code verify-scope}, {@code allowed-signers}, {@code gpg-keys}, {@code revoked-keys}. The
 * policy lives on the device (config file, flags, environment), never in the repo it judges.
 */
public record TrustSettings(Mode mode, CommitVerifier.Scope scope, Path allowedSigners, Path gpgKeys, Path revokedKeys) {

    /** No verification: the default. */
    public static final TrustSettings OFF = new TrustSettings(Mode.OFF, CommitVerifier.Scope.CHAIN, null, null, null);

    /** NOTE: the words are the setting's values (docs/configuration.md). */
    public enum Mode {
        /** Nothing is verified; the verification classes are never loaded. */
        OFF("off"),
        /** Every revision is verified and the result recorded and reported; it is applied whatever the result. */
        WARN("warn"),
        /** A revision that does not verify is never applied. */
        ENFORCE("enforce");

        private final String word;

        Mode(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }
    }

    public boolean on() {
        return mode != Mode.OFF;
    }

    /**
     * The verifier this policy asks for, its files read and checked now.
     *
     * @throws TrustConfigException one line naming the file (and line) that cannot be used, or
     *                              the setting that is missing
     */
    public CommitVerifier verifier() throws TrustConfigException {
        if (allowedSigners == null && gpgKeys == null) {
            throw new TrustConfigException("verify: " + mode.word() + " needs allowed-signers FILE (SSH keys) or gpg-keys"
                    + " FILE (OpenPGP keys) naming the keys that may sign");
        }
        return CommitVerifier.of(allowedSigners, gpgKeys, revokedKeys);
    }
}
