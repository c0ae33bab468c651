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
    private final Path revoked;
    private final Set<String> revokedKeys;
    private final GpgConfig gpg;

    private CommitVerifier(AllowedSigners allowed, Path revoked, Set<String> revokedKeys) {
        this.allowed = allowed;
        this.revoked = revoked;
        this.revokedKeys = revokedKeys;
        Config config = new Config();
        config.setString("gpg", "ssh", "allowedSignersFile", allowed.file().toString());
        if (revoked != null) {
            config.setString("gpg", "ssh", "revocationFile", revoked.toString());
        }
        this.gpg = new GpgConfig(config);
    }

    /**
     * @param revoked a revocation list (public key lines, or an OpenSSH KRL), or null
     * @throws TrustConfigException one line naming the file (and line) that cannot be used
     */
    public static CommitVerifier ssh(Path allowedSigners, Path revoked) throws TrustConfigException {
        return new CommitVerifier(AllowedSigners.read(allowedSigners), revoked,
                revoked == null ? Set.of() : AllowedSigners.keyLines(revoked));
    }

    /** One commit. */
    public Verdict verify(Repository repo, RevCommit commit) throws IOException {
        String sha = commit.name();
        SignatureVerifier.SignatureVerification v = SignatureVerifiers.verify(repo, gpg, commit);
        if (v == null) {
            return new Verdict(sha, TrustReason.UNSIGNED, null, null, null, "not signed");
        }
        String fp = v.keyFingerprint();
        List<AllowedSigners.Entry> entries = fp == null ? List.of() : allowed.forKey(fp);
        String type = entries.isEmpty() ? null : entries.get(0).keyType();
        if (v.verified()) {
            return new Verdict(sha, null, v.keyUser(), type, fp, null);
        }
        if (fp != null && revokedKeys.contains(fp) || (v.message() != null && v.message().contains("revoked"))) {
            return new Verdict(sha, TrustReason.REVOKED_KEY, null, type, fp, "signed by a revoked key " + fp);
        }
        if (entries.isEmpty()) {
            return new Verdict(sha, TrustReason.UNKNOWN_SIGNER, null, null, fp, "signed by " + fp + ", which no line of "
                    + allowed.file() + " allows");
        }
        Instant when = v.creationDate() == null ? commit.getCommitterIdent().getWhenAsInstant() : v.creationDate().toInstant();
        if (entries.stream().noneMatch(e -> e.validAt(when))) {
            AllowedSigners.Entry e = entries.get(0);
            return new Verdict(sha, TrustReason.EXPIRED_KEY, String.join(",", e.principals()), type, fp, "signed at " + when
                    + " by " + fp + ", outside its validity in " + allowed.file() + ":" + e.line());
        }
        return new Verdict(sha, TrustReason.BAD_SIGNATURE, null, type, fp, "the signature by " + fp
                + " does not match the commit");
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
