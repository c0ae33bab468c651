package io.voltis.sync.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import io.voltis.sync.testing.SignedRepo;
import io.voltis.sync.testing.SignedRepo.Gpg;
import io.voltis.sync.trust.CommitVerifier.Verdict;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OpenPGP commit signatures made by the real `gpg` (`git commit -S`, gpg.format=openpgp, keys
 * from `gpg --quick-gen-key`) and checked against armored keys as `gpg --export --armor` writes
 * them: each reason, and SSH and OpenPGP signers trusted side by side.
 */
class OpenPgpVerifierTest {

    @TempDir
    Path tmp;

    SignedRepo signed;
    Repository repo;
    Gpg ops;

    @BeforeEach
    void setUp() throws Exception {
        signed = SignedRepo.init(tmp.resolve("repo"));
        ops = Gpg.create(tmp.resolve("gnupg-ops"), "Ops", "ops@example.com", "1y");
        repo = new FileRepositoryBuilder().setGitDir(signed.dir().resolve(".git").toFile()).build();
    }

    @AfterEach
    void tearDown() {
        repo.close();
    }

    Verdict verify(CommitVerifier verifier, String sha) throws Exception {
        try (RevWalk walk = new RevWalk(repo)) {
            return verifier.verify(repo, walk.parseCommit(ObjectId.fromString(sha)));
        }
    }

    @Test
    void aGoodSignature_namesItsUserAndFingerprint() throws Exception {
        String sha = signed.commitGpg(ops, ops.program(), "f.txt", "1\n", "one");
        CommitVerifier v = CommitVerifier.of(null, ops.export(tmp.resolve("ops.asc")), null);

        Verdict verdict = verify(v, sha);

        assertThat(verdict.trusted()).as(verdict.message()).isTrue();
        assertThat(verdict.result()).isEqualTo("Verified");
        assertThat(verdict.signerText()).isEqualTo("Ops <ops@example.com> (openpgp " + ops.fingerprint() + ")");
    }

    @Test
    void eachFailure_hasItsReason() throws Exception {
        Path keys = ops.export(tmp.resolve("ops.asc"));
        String good = signed.commitGpg(ops, ops.program(), "f.txt", "1\n", "one");
        Gpg stranger = Gpg.create(tmp.resolve("gnupg-stranger"), "Stranger", "x@example.com", "never");
        String byStranger = signed.commitGpg(stranger, stranger.program(), "f.txt", "2\n", "two");
        Gpg old = Gpg.create(tmp.resolve("gnupg-old"), "Old", "old@example.com", "never", "20200101T000000");
        String late = signed.commitGpg(old, old.program(), "f.txt", "3\n", "three");
        old.expireOn("20200102T000000"); // the key said, in 2020, that it expires a day later: today's signature is after
        Path keysWithOld = tmp.resolve("ops-and-old.asc");
        Files.writeString(keysWithOld, Files.readString(keys) + old.run("--export", "--armor", old.fingerprint()) + "\n");
        String unsigned = signed.commit(null, "f.txt", "4\n", "four");
        ObjectId forged;
        try (var inserter = repo.newObjectInserter()) {
            String raw = new String(repo.open(repo.resolve(good)).getBytes(), StandardCharsets.UTF_8);
            forged = inserter.insert(Constants.OBJ_COMMIT, raw.replace("\none\n", "\none, and more\n")
                    .getBytes(StandardCharsets.UTF_8));
            inserter.flush();
        }
        CommitVerifier v = CommitVerifier.of(null, keysWithOld, null);

        assertThat(verify(v, unsigned).reason()).isEqualTo(TrustReason.UNSIGNED);
        Verdict unknown = verify(v, byStranger);
        assertThat(unknown.reason()).isEqualTo(TrustReason.UNKNOWN_SIGNER);
        assertThat(unknown.message()).contains("which is not in " + keysWithOld);
        assertThat(verify(v, forged.name()).reason()).isEqualTo(TrustReason.BAD_SIGNATURE);
        Verdict expired = verify(v, late);
        assertThat(expired.reason()).isEqualTo(TrustReason.EXPIRED_KEY);
        assertThat(expired.message()).contains("which expired at");

        ops.revoke();
        Path revokedKeys = ops.export(tmp.resolve("ops-revoked.asc"));
        assertThat(verify(CommitVerifier.of(null, revokedKeys, null), good).reason()).isEqualTo(TrustReason.REVOKED_KEY);
    }

    @Test
    void sshAndOpenPgpSigners_trustedSideBySide_andEachNeedsItsOwnKeys() throws Exception {
        Path sshKey = SignedRepo.sshKey(tmp, "ed", "ed25519");
        Path allowed = Files.writeString(tmp.resolve("allowed_signers"), "ed@example.com namespaces=\"git\" "
                + SignedRepo.publicKey(sshKey) + "\n");
        String bySsh = signed.commit(sshKey, "f.txt", "1\n", "ssh");
        String byGpg = signed.commitGpg(ops, ops.program(), "f.txt", "2\n", "gpg");
        Path keys = ops.export(tmp.resolve("ops.asc"));

        CommitVerifier both = CommitVerifier.of(allowed, keys, null);
        assertThat(verify(both, bySsh).trusted()).isTrue();
        assertThat(verify(both, byGpg).trusted()).isTrue();

        Verdict gpgUnderSshOnly = verify(CommitVerifier.of(allowed, null, null), byGpg);
        assertThat(gpgUnderSshOnly.reason()).isEqualTo(TrustReason.UNKNOWN_SIGNER);
        assertThat(gpgUnderSshOnly.message()).contains("no gpg-keys");
        Verdict sshUnderGpgOnly = verify(CommitVerifier.of(null, keys, null), bySsh);
        assertThat(sshUnderGpgOnly.reason()).isEqualTo(TrustReason.UNKNOWN_SIGNER);
        assertThat(sshUnderGpgOnly.message()).contains("no allowed-signers");
    }

    @Test
    void aFolderOfKeys_isRead_andAFileThatIsNotKeys_isOneLineNamingIt() throws Exception {
        Path folder = Files.createDirectories(tmp.resolve("keys"));
        ops.export(folder.resolve("ops.asc"));
        Files.writeString(folder.resolve("README"), "not a key, not read\n");
        String sha = signed.commitGpg(ops, ops.program(), "f.txt", "1\n", "one");
        assertThat(verify(CommitVerifier.of(null, folder, null), sha).trusted()).isTrue();

        Path bad = Files.writeString(folder.resolve("broken.asc"), "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nnope\n");
        assertThatThrownBy(() -> CommitVerifier.of(null, folder, null))
                .isInstanceOf(TrustConfigException.class)
                .hasMessageStartingWith(bad + ": not OpenPGP public keys");
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertThatThrownBy(() -> CommitVerifier.of(null, empty, null))
                .isInstanceOf(TrustConfigException.class)
                .hasMessageStartingWith(empty + ": no OpenPGP public key");
    }
}
