package io.voltis.sync.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.voltis.sync.testing.SignedRepo;
import io.voltis.sync.trust.CommitVerifier.Scope;
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
 * Every trust reason, with commits signed by the real tools (`git commit -S`, gpg.format=ssh,
 * `ssh-keygen` ed25519 and ecdsa keys) and verified by JGit in-process.
 */
class CommitVerifierTest {

    @TempDir
    Path tmp;

    SignedRepo signed;
    Path repoDir;
    Repository repo;
    Path ed;
    Path ec;
    Path stranger;
    Path allowed;

    static String run(Path dir, String... argv) throws Exception {
        return SignedRepo.run(dir, argv);
    }

    Path key(String name, String type) throws Exception {
        return SignedRepo.sshKey(tmp, name, type);
    }

    String pub(Path key) throws Exception {
        return SignedRepo.publicKey(key);
    }

    String commit(Path key, String message) throws Exception {
        return signed.commit(key, "f.txt", message + "\n", message);
    }

    Verdict verify(CommitVerifier verifier, String sha) throws Exception {
        try (RevWalk walk = new RevWalk(repo)) {
            return verifier.verify(repo, walk.parseCommit(ObjectId.fromString(sha)));
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        signed = SignedRepo.init(tmp.resolve("repo"));
        repoDir = signed.dir();
        ed = key("ops-ed25519", "ed25519");
        ec = key("ops-ecdsa", "ecdsa");
        stranger = key("stranger", "ed25519");
        allowed = Files.writeString(tmp.resolve("allowed_signers"), "# ops keys\nops@example.com namespaces=\"git\" "
                + pub(ed) + "\nci@example.com,ops@example.com namespaces=\"git\" " + pub(ec) + "\n");
        repo = new FileRepositoryBuilder().setGitDir(repoDir.resolve(".git").toFile()).build();
    }

    @AfterEach
    void tearDown() {
        repo.close();
    }

    @Test
    void goodSignatures_nameTheirSignerAndKey() throws Exception {
        CommitVerifier v = CommitVerifier.ssh(allowed, null);
        String byEd = commit(ed, "ed25519");
        String byEc = commit(ec, "ecdsa");

        Verdict a = verify(v, byEd);
        assertThat(a.trusted()).as(a.toString()).isTrue();
        assertThat(a.signer()).isEqualTo("ops@example.com");
        assertThat(a.fingerprint()).isEqualTo(run(tmp, "ssh-keygen", "-l", "-f", ed + ".pub").split(" ")[1]);
        assertThat(verify(v, byEc).trusted()).isTrue();
    }

    /** OpenSSH's own form: several options, quoted values, commas between them (key rotation windows). */
    @Test
    void optionsWithQuotedValuesAndCommas_verify_insideTheirWindow() throws Exception {
        String byEd = commit(ed, "ed25519");
        Path windowed = Files.writeString(tmp.resolve("allowed_windowed"), "ops@example.com namespaces=\"git\","
                + "valid-after=\"20200101\",valid-before=\"20990101\" " + pub(ed) + "\n");

        Verdict v = verify(CommitVerifier.ssh(windowed, null), byEd);

        assertThat(v.trusted()).as(v.toString()).isTrue();
        assertThat(v.signer()).isEqualTo("ops@example.com");
    }

    @Test
    void eachFailure_hasItsReason() throws Exception {
        String unsigned = commit(null, "unsigned");
        String byStranger = commit(stranger, "stranger");
        String byEd = commit(ed, "ed25519");
        ObjectId forged;
        try (var inserter = repo.newObjectInserter()) {
            String raw = new String(repo.open(repo.resolve(byEd)).getBytes(), StandardCharsets.UTF_8);
            forged = inserter.insert(Constants.OBJ_COMMIT, raw.replace("ed25519\n", "ed25519, and more\n")
                    .getBytes(StandardCharsets.UTF_8));
            inserter.flush();
        }
        Path expired = Files.writeString(tmp.resolve("allowed_expired"), "ops@example.com namespaces=\"git\",valid-before=\"20200101\" "
                + pub(ed) + "\n");
        Path revoked = Files.writeString(tmp.resolve("revoked"), pub(ed) + "\n");
        CommitVerifier v = CommitVerifier.ssh(allowed, null);

        assertThat(verify(v, unsigned).reason()).isEqualTo(TrustReason.UNSIGNED);
        assertThat(verify(v, byStranger).reason()).isEqualTo(TrustReason.UNKNOWN_SIGNER);
        assertThat(verify(v, forged.name()).reason()).isEqualTo(TrustReason.BAD_SIGNATURE);
        Verdict old = verify(CommitVerifier.ssh(expired, null), byEd);
        assertThat(old.reason()).isEqualTo(TrustReason.EXPIRED_KEY);
        assertThat(old.message()).contains("allowed_expired:1");
        assertThat(verify(CommitVerifier.ssh(allowed, revoked), byEd).reason()).isEqualTo(TrustReason.REVOKED_KEY);
    }

    @Test
    void chain_refusesASignedHeadOverAnUnsignedParent_headScopeAcceptsIt() throws Exception {
        CommitVerifier v = CommitVerifier.ssh(allowed, null);
        String base = commit(ed, "base");
        String gap = commit(null, "unsigned in between");
        String head = commit(ed, "signed head");

        List<Verdict> chain = v.verifyChain(repo, base, head, Scope.CHAIN);
        assertThat(chain).extracting(Verdict::sha).containsExactly(gap);
        assertThat(chain.get(0).reason()).isEqualTo(TrustReason.UNSIGNED);

        assertThat(v.verifyChain(repo, base, head, Scope.HEAD)).singleElement().matches(Verdict::trusted);
    }

    @Test
    void anOlderSignedCommit_isNotADescendant_replayRefused() throws Exception {
        CommitVerifier v = CommitVerifier.ssh(allowed, null);
        String old = commit(ed, "old");
        String applied = commit(ed, "applied");

        List<Verdict> back = v.verifyChain(repo, applied, old, Scope.CHAIN);

        assertThat(back).singleElement().extracting(Verdict::reason).isEqualTo(TrustReason.NOT_DESCENDANT);
        assertThat(v.verifyChain(repo, old, applied, Scope.CHAIN)).singleElement().matches(Verdict::trusted);
    }

    @Test
    void malformedAllowedSigners_oneLineNamingFileAndLine() throws Exception {
        Path bad = Files.writeString(tmp.resolve("bad_signers"), "# fine\nops@example.com namespaces=\"git\" " + pub(ed)
                + "\nops@example.com ssh-ed25519 not*base64\n");
        Path noKey = Files.writeString(tmp.resolve("no_key"), "ops@example.com\n");
        Path wrongNs = Files.writeString(tmp.resolve("wrong_ns"), "ops@example.com namespaces=\"file\" " + pub(ed) + "\n");
        Path empty = Files.writeString(tmp.resolve("empty"), "# nobody\n");

        assertThatThrownBy(() -> CommitVerifier.ssh(bad, null)).isInstanceOf(TrustConfigException.class)
                .hasMessageStartingWith(bad + ":3: the key is not base64");
        assertThatThrownBy(() -> CommitVerifier.ssh(noKey, null)).hasMessage(noKey + ":1: expected `principals [options] keytype base64-key`");
        assertThatThrownBy(() -> CommitVerifier.ssh(wrongNs, null)).hasMessageContaining(":1: namespaces=\"file\" does not include git");
        assertThatThrownBy(() -> CommitVerifier.ssh(empty, null)).hasMessageStartingWith(empty + ": no signer");
        assertThatThrownBy(() -> CommitVerifier.ssh(tmp.resolve("missing"), null)).hasMessageContaining("cannot be read");
    }
}
