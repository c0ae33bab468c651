package io.voltis.sync.trust;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.eclipse.jgit.lib.Config;
import org.eclipse.jgit.lib.GpgConfig;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.SignatureVerifier;
import org.eclipse.jgit.lib.SignatureVerifiers;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;

/**
 * Checks commits against the device's trust policy with JGit's own SSH signature verifier
 * (org.eclipse.jgit.ssh.apache): an OpenSSH allowed_signers file and an optional revocation
 * list, given through an in-memory config (the mirror's config file is never touched). Adds what
 * JGit does not say: which reason a failure is ({@link TrustReason}), and whether a head descends
 * from the last applied revision. Not thread-safe; one verification at a time.
 */
public final class CommitVerifier {

    /**
     * What verifying one commit came to; {@code reason} is null when it is trusted. {@code signer}
     * is the allowed_signers principal when one matched, {@code keyType} its key type.
     */
    public record Verdict(String sha, TrustReason reason, String signer, String keyType, String fingerprint,
                          String message) {
        public boolean trusted() {
            return reason == null;
        }

        /** The result word: {@code Verified}, else the reason's. */
        public String result() {
            return reason == null ? "Verified" : reason.word();
        }

        /** Who signed, as people read it: {@code ops@example.com (ssh-ed25519 SHA256:…)}; null when unsigned. */
        public String signerText() {
            if (fingerprint == null) {
                return signer;
            }
            String key = (keyType == null ? "" : keyType + " ") + fingerprint;
            return signer == null ? key : signer + " (" + key + ")";
        }
    }

    /** What is verified: every commit after the last applied one ({@code CHAIN}), or the desired one alone. */
    public enum Scope { CHAIN, HEAD }

    private final AllowedSigners allowed;
    private final OpenPgpKeys openPgp;
    private final Set<String> revokedKeys;
    private final GpgConfig gpg;

    private CommitVerifier(AllowedSigners allowed, OpenPgpKeys openPgp, Path revoked, Set<String> revokedKeys) {
        this.allowed = allowed;
        this.openPgp = openPgp;
        this.revokedKeys = revokedKeys;
        Config config = new Config();
        if (allowed != null) {
            config.setString("gpg", "ssh", "allowedSignersFile", forJGit(allowed).toString());
        }
        if (revoked != null) {
            config.setString("gpg", "ssh", "revocationFile", revoked.toString());
        }
        this.gpg = new GpgConfig(config);
    }

    /** A private copy of the allowed signers JGit can read ({@link AllowedSigners#forJGit}), removed at exit. */
    private static Path forJGit(AllowedSigners allowed) {
        try {
            Path copy = java.nio.file.Files.createTempFile("voltis-allowed-signers-", "",
                    java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            copy.toFile().deleteOnExit();
            java.nio.file.Files.writeString(copy, allowed.forJGit());
            return copy;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot write the allowed signers for JGit: " + e.getMessage(), e);
        }
    }

    /**
     * @param revoked a revocation list (public key lines, or an OpenSSH KRL), or null
     * @throws TrustConfigException one line naming the file (and line) that cannot be used
     */
    public static CommitVerifier ssh(Path allowedSigners, Path revoked) throws TrustConfigException {
        return of(allowedSigners, null, revoked);
    }

    /**
     * SSH signatures checked against {@code allowedSigners}, OpenPGP signatures against
     * {@code gpgKeys} (a file or folder of armored public keys); either may be null, not both.
     *
     * @throws TrustConfigException one line naming the file (and line) that cannot be used
     */
    public static CommitVerifier of(Path allowedSigners, Path gpgKeys, Path revoked) throws TrustConfigException {
        if (allowedSigners == null && gpgKeys == null) {
            throw new TrustConfigException("no signer is trusted: give allowed-signers FILE (SSH keys) or gpg-keys FILE"
                    + " (OpenPGP keys)");
        }
        AllowedSigners ssh = allowedSigners == null ? null : AllowedSigners.read(allowedSigners);
        OpenPgpKeys keys = gpgKeys == null ? null : OpenPgpKeys.read(gpgKeys);
        Set<String> revokedKeys = revoked == null ? Set.of() : AllowedSigners.keyLines(revoked);
        if (keys != null) {
            SignatureVerifiers.set(GpgConfig.GpgFormat.OPENPGP, OpenPgpVerifier.INSTANCE);
        }
        return new CommitVerifier(ssh, keys, revoked, revokedKeys);
    }

    /** One commit. */
    public Verdict verify(Repository repo, RevCommit commit) throws IOException {
        String sha = commit.name();
        byte[] signature = commit.getRawGpgSignature();
        if (signature == null) {
            return new Verdict(sha, TrustReason.UNSIGNED, null, null, null, "not signed");
        }
        GpgConfig.GpgFormat format = SignatureVerifiers.getFormat(signature);
        if (format == GpgConfig.GpgFormat.OPENPGP) {
            return openPgp(repo, commit);
        }
        if (format != GpgConfig.GpgFormat.SSH) {
            return new Verdict(sha, TrustReason.UNKNOWN_SIGNER, null, null, null, "signed with " + format
                    + ", which this device does not trust (SSH and OpenPGP signatures are verified)");
        }
        if (allowed == null) {
            return new Verdict(sha, TrustReason.UNKNOWN_SIGNER, null, null, null, "signed with an SSH key, and no"
                    + " allowed-signers file is trusted on this device");
        }
        SignatureVerifier.SignatureVerification v = SignatureVerifiers.verify(repo, gpg, commit);
        if (v == null) {
            return new Verdict(sha, TrustReason.UNSIGNED, null, null, null, "not signed");
        }
        String fp = v.keyFingerprint();
        List<AllowedSigners.Entry> entries = fp == null ? List.of() : allowed.forKey(fp);
        String type = entries.isEmpty() ? null : entries.get(0).keyType();
        Instant when = v.creationDate() == null ? commit.getCommitterIdent().getWhenAsInstant() : v.creationDate().toInstant();
        if (v.verified() && (entries.isEmpty() || entries.stream().anyMatch(e -> e.validAt(when)))) {
            return new Verdict(sha, null, v.keyUser(), type, fp, null);
        }
        if (fp != null && revokedKeys.contains(fp) || (v.message() != null && v.message().contains("revoked"))) {
            return new Verdict(sha, TrustReason.REVOKED_KEY, null, type, fp, "signed by a revoked key " + fp);
        }
        if (entries.isEmpty()) {
            return new Verdict(sha, TrustReason.UNKNOWN_SIGNER, null, null, fp, "signed by " + fp + ", which no line of "
                    + allowed.file() + " allows");
        }
        if (entries.stream().noneMatch(e -> e.validAt(when))) {
            AllowedSigners.Entry e = entries.get(0);
            return new Verdict(sha, TrustReason.EXPIRED_KEY, String.join(",", e.principals()), type, fp, "signed at " + when
                    + " by " + fp + ", outside its validity in " + allowed.file() + ":" + e.line());
        }
        return new Verdict(sha, TrustReason.BAD_SIGNATURE, null, type, fp, "the signature by " + fp
                + " does not match the commit");
    }

    private Verdict openPgp(Repository repo, RevCommit commit) throws IOException {
        String sha = commit.name();
        if (openPgp == null) {
            return new Verdict(sha, TrustReason.UNKNOWN_SIGNER, null, null, null, "signed with OpenPGP, and no gpg-keys"
                    + " are trusted on this device");
        }
        OpenPgpVerifier.Context context = new OpenPgpVerifier.Context(openPgp);
        SignatureVerifier.SignatureVerification v = OpenPgpVerifier.with(context,
                () -> SignatureVerifiers.verify(repo, gpg, commit));
        if (v == null) {
            return new Verdict(sha, TrustReason.UNSIGNED, null, null, null, "not signed");
        }
        if (v.verified() && context.reason == null) {
            return new Verdict(sha, null, v.keyUser(), context.keyType, v.keyFingerprint(), null);
        }
        TrustReason reason = context.reason == null ? TrustReason.BAD_SIGNATURE : context.reason;
        return new Verdict(sha, reason, v.keyUser(), context.keyType, v.keyFingerprint(), v.message());
    }

    /**
     * The verdicts that decide whether {@code desired} may be applied over {@code lastApplied}
     * (null: nothing applied yet), oldest first, ending at the first failure: {@code NotDescendant}
     * when {@code desired} does not descend from {@code lastApplied}; with {@link Scope#CHAIN}
     * every commit reachable from {@code desired} and not from {@code lastApplied} (all of
     * {@code desired}'s history when nothing was applied: the first apply checks where it starts
     * from), with {@link Scope#HEAD} {@code desired} alone.
     */
    public List<Verdict> verifyChain(Repository repo, String lastApplied, String desired, Scope scope) throws IOException {
        List<Verdict> out = new ArrayList<>();
        try (RevWalk walk = new RevWalk(repo)) {
            RevCommit head = walk.parseCommit(ObjectId.fromString(desired));
            if (lastApplied != null && !lastApplied.equals(desired)) {
                RevCommit base = walk.parseCommit(ObjectId.fromString(lastApplied));
                if (!walk.isMergedInto(base, head)) {
                    out.add(new Verdict(desired, TrustReason.NOT_DESCENDANT, null, null, null, desired.substring(0, 12)
                            + " does not descend from the applied " + lastApplied.substring(0, 12)
                            + " (force-push or an older branch replayed): pin it with the cli to accept it"));
                    return out;
                }
                walk.reset();
            }
            if (scope == Scope.HEAD) {
                out.add(verify(repo, walk.parseCommit(ObjectId.fromString(desired))));
                return out;
            }
            walk.reset();
            walk.sort(org.eclipse.jgit.revwalk.RevSort.TOPO, true);
            walk.sort(org.eclipse.jgit.revwalk.RevSort.REVERSE, true);
            walk.markStart(walk.parseCommit(ObjectId.fromString(desired)));
            if (lastApplied != null) {
                walk.markUninteresting(walk.parseCommit(ObjectId.fromString(lastApplied)));
            }
            for (RevCommit c : walk) {
                Verdict v = verify(repo, c);
                out.add(v);
                if (!v.trusted()) {
                    break;
                }
            }
        }
        return out;
    }
}
