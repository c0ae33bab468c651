package io.voltis.sync.trust;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.eclipse.jgit.lib.Config;
import org.eclipse.jgit.lib.GpgConfig;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.SignatureVerifier;
import org.eclipse.jgit.lib.SignatureVerifiers;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SPIKE for issue 15 (signed commits), not wired into the agent: JGit 7.5's own SSH signature
 * verifier (org.eclipse.jgit.ssh.apache, already a dependency) against commits signed by the
 * real tools (`git commit -S` with gpg.format=ssh and `ssh-keygen` ed25519/ecdsa keys), with an
 * OpenSSH allowed_signers file given through an in-memory GpgConfig (the mirror's file config is
 * never touched).
 *
 * <p>Findings (JGit 7.5.0, this machine, 2026-12-06): a good signature gives verified=true with
 * keyUser = the principal and keyFingerprint = SHA256:…; an unknown key: verified=false, trust
 * UNKNOWN, message "No principal matched in gpg.ssh.allowedSignersFile" (→ UnknownSigner); an
 * unsigned commit: null (→ Unsigned); a tampered commit: verified=false, trust NEVER, message null
 * (→ BadSignature); a key in gpg.ssh.revocationFile: verified=false, message "Key used for the
 * SSH signature was revoked" (→ RevokedKey); a valid-before in the past: verified=false,
 * expired=FALSE, message "SSH signature verification failed; see the log for details" — JGit does
 * not tell ExpiredKey apart: the agent must read valid-after/valid-before itself (or match the
 * key in the allowed_signers entries) to say ExpiredKey rather than BadSignature.
 */
class SshSignatureSpikeTest {

    @TempDir
    Path tmp;

    static String run(Path dir, String... argv) throws Exception {
        Process p = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(String.join(" ", argv) + ": " + out).isZero();
        return out.strip();
    }

    Path key(String name, String type) throws Exception {
        Path key = tmp.resolve(name);
        run(tmp, "ssh-keygen", "-q", "-t", type, "-N", "", "-C", name, "-f", key.toString());
        return key;
    }

    String commit(Path repo, Path key, String message) throws Exception {
        Files.writeString(repo.resolve("f.txt"), message + "\n");
        run(repo, "git", "add", "f.txt");
        List<String> argv = new ArrayList<>(List.of("git", "-c", "user.name=Op", "-c", "user.email=op@example.com"));
        if (key != null) {
            argv.addAll(List.of("-c", "gpg.format=ssh", "-c", "user.signingkey=" + key + ".pub", "commit", "-q", "-S", "-m", message));
        } else {
            argv.addAll(List.of("commit", "-q", "-m", message));
        }
        run(repo, argv.toArray(String[]::new));
        return run(repo, "git", "rev-parse", "HEAD");
    }

    SignatureVerifier.SignatureVerification verify(Path repo, String sha, Path allowedSigners) throws Exception {
        return verify(repo, sha, allowedSigners, null);
    }

    SignatureVerifier.SignatureVerification verify(Path repo, String sha, Path allowedSigners, Path revoked) throws Exception {
        Config config = new Config();
        config.setString("gpg", "ssh", "allowedSignersFile", allowedSigners.toString());
        if (revoked != null) {
            config.setString("gpg", "ssh", "revocationFile", revoked.toString());
        }
        try (Repository r = new FileRepositoryBuilder().setGitDir(repo.resolve(".git").toFile()).build();
             RevWalk walk = new RevWalk(r)) {
            RevCommit c = walk.parseCommit(r.resolve(sha));
            return SignatureVerifiers.verify(r, new GpgConfig(config), c);
        }
    }

    @Test
    void sshSignedCommits_verifyAgainstAllowedSigners_unknownAndUnsignedDoNot() throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        run(repo, "git", "init", "-q", "-b", "main");
        Path ed = key("ops-ed25519", "ed25519");
        Path ec = key("ops-ecdsa", "ecdsa");
        Path stranger = key("stranger", "ed25519");
        Path allowed = tmp.resolve("allowed_signers");
        Files.writeString(allowed, "ops@example.com namespaces=\"git\" " + Files.readString(Path.of(ed + ".pub"))
                + "ops@example.com namespaces=\"git\" " + Files.readString(Path.of(ec + ".pub")));

        String byEd = commit(repo, ed, "signed ed25519");
        String byEc = commit(repo, ec, "signed ecdsa");
        String byStranger = commit(repo, stranger, "signed by a stranger");
        String unsigned = commit(repo, null, "unsigned");

        var ok = verify(repo, byEd, allowed);
        assertThat(ok.verified()).as(ok.toString()).isTrue();
        System.out.println("SPIKE " + ok + " | unknown: " + verify(repo, byStranger, allowed));
        assertThat(ok.keyUser()).isEqualTo("ops@example.com");
        assertThat(verify(repo, byEc, allowed).verified()).isTrue();
        var unknown = verify(repo, byStranger, allowed);
        assertThat(unknown == null || !unknown.verified()).as(String.valueOf(unknown)).isTrue();
        assertThat(verify(repo, unsigned, allowed)).isNull();

        // expired: valid-before in the past
        Path expired = tmp.resolve("allowed_expired");
        Files.writeString(expired, "ops@example.com namespaces=\"git\",valid-before=\"20200101\" "
                + Files.readString(Path.of(ed + ".pub")));
        System.out.println("SPIKE expired: " + verify(repo, byEd, expired));
        assertThat(verify(repo, byEd, expired).verified()).isFalse();

        // revoked: the key in the revocation file
        Path revoked = tmp.resolve("revoked_keys");
        Files.writeString(revoked, Files.readString(Path.of(ed + ".pub")));
        System.out.println("SPIKE revoked: " + verify(repo, byEd, allowed, revoked));
        assertThat(verify(repo, byEd, allowed, revoked).verified()).isFalse();

        // tampered: the signed commit with its message changed, signature kept
        try (Repository r = new FileRepositoryBuilder().setGitDir(repo.resolve(".git").toFile()).build();
             var inserter = r.newObjectInserter()) {
            byte[] raw = r.open(r.resolve(byEd)).getBytes();
            String text = new String(raw, java.nio.charset.StandardCharsets.UTF_8).replace("signed ed25519", "signed ed25519!");
            var forged = inserter.insert(org.eclipse.jgit.lib.Constants.OBJ_COMMIT, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            inserter.flush();
            var bad = verify(repo, forged.name(), allowed);
            System.out.println("SPIKE tampered: " + bad);
            assertThat(bad.verified()).isFalse();
        }
    }
}
