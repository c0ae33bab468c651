package io.voltis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import io.voltis.sync.testing.SignedRepo;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code validate --allowed-signers} in a repo's CI: real commits signed by `git commit -S` with
 * `ssh-keygen` keys (gpg.format=ssh), checked by the device's own verifier.
 */
class ValidateSignaturesTest {

    @TempDir
    Path tmp;

    SignedRepo signed;
    Path repo;
    Path ops;
    Path allowed;

    static String run(Path dir, String... argv) throws Exception {
        return SignedRepo.run(dir, argv);
    }

    Path key(String name) throws Exception {
        return SignedRepo.sshKey(tmp, name, "ed25519");
    }

    String commit(Path key, String path, String text) throws Exception {
        return signed.commit(key, path, text, "change " + path);
    }

    @BeforeEach
    void setUp() throws Exception {
        signed = SignedRepo.init(tmp.resolve("repo"));
        repo = signed.dir();
        ops = key("ops");
        allowed = Files.writeString(tmp.resolve("allowed_signers"), "ops@example.com namespaces=\"git\" "
                + SignedRepo.publicKey(ops) + "\n");
        commit(ops, "devices/dev1.yaml", "workload: app\n");
        commit(ops, "workloads/app/workload.yaml", "apiVersion: voltis/v1\n");
    }

    @Test
    void aSignedHistory_isValid_exit0() {
        Cli r = Cli.run("validate", repo.toString(), "--allowed-signers", allowed.toString());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.outLines()).contains("valid: 1 device, 1 workload", "signatures: 2 commits verified against " + allowed);
    }

    @Test
    void anUnsignedCommit_isRefusedWithItsReason_exit1_andSinceLimitsTheCheck() throws Exception {
        String signed = run(repo, "git", "rev-parse", "HEAD");
        String unsigned = commit(null, "devices/dev2.yaml", "workload: app\n");

        Cli table = Cli.run("validate", repo.toString(), "--allowed-signers", allowed.toString());
        Cli json = Cli.run("validate", repo.toString(), "--allowed-signers", allowed.toString(), "-o", "json");

        assertThat(table.exitCode()).isEqualTo(Main.FAILED);
        assertThat(table.outLines()).contains(unsigned.substring(0, 12) + ": Unsigned: not signed",
                "signatures: Unsigned after 2 verified commits");
        JsonNode s = JsonMapper.builder().build().readTree(json.out());
        assertThat(s.path("valid").asBoolean()).isFalse();
        assertThat(s.path("signatures").path("refused").get(0).path("reason").asString()).isEqualTo("Unsigned");
        assertThat(s.path("signatures").path("refused").get(0).path("commit").asString()).isEqualTo(unsigned);

        commit(ops, "devices/dev3.yaml", "workload: app\n");
        Cli after = Cli.run("validate", repo.toString(), "--allowed-signers", allowed.toString(), "--since", unsigned);
        assertThat(after.exitCode()).as("only the commits after --since").isZero();
        Cli back = Cli.run("validate", repo.toString(), "--allowed-signers", allowed.toString(), "--since", "HEAD",
                "--host", "dev1");
        assertThat(back.exitCode()).isZero();
        assertThat(signed).isNotEqualTo(unsigned);
    }

    @Test
    void aStrangersSignature_isUnknownSigner() throws Exception {
        String bad = commit(key("stranger"), "devices/dev2.yaml", "workload: app\n");

        Cli r = Cli.run("validate", repo.toString(), "--allowed-signers", allowed.toString());

        assertThat(r.exitCode()).isEqualTo(Main.FAILED);
        assertThat(r.outLines()).anyMatch(l -> l.startsWith(bad.substring(0, 12) + ": UnknownSigner: signed by SHA256:"));
    }

    @Test
    void badInput_isBadUsage_exit2_oneLine() throws Exception {
        Path malformed = Files.writeString(tmp.resolve("bad_signers"), "ops@example.com ssh-ed25519\n");

        Cli r = Cli.run("validate", repo.toString(), "--allowed-signers", malformed.toString());
        Cli noRepo = Cli.run("validate", Files.createDirectories(tmp.resolve("plain")).toString(), "--allowed-signers",
                allowed.toString());
        Cli noRev = Cli.run("validate", repo.toString(), "--allowed-signers", allowed.toString(), "--since", "nosuch");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("voltis-agent: " + malformed + ":1: expected `principals [options] keytype base64-key`\n");
        assertThat(noRepo.exitCode()).isEqualTo(2);
        assertThat(noRepo.err()).contains("is not in a Git repository");
        assertThat(noRev.exitCode()).isEqualTo(2);
        assertThat(noRev.err()).contains("--since: unknown revision 'nosuch'");
    }
}
