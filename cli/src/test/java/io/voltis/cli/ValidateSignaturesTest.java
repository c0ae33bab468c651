package io.voltis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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

    Path repo;
    Path ops;
    Path allowed;

    static String run(Path dir, String... argv) throws Exception {
        Process p = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", argv) + ": " + out).isZero();
        return out.strip();
    }

    Path key(String name) throws Exception {
        Path key = tmp.resolve(name);
        run(tmp, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", key.toString());
        return key;
    }

    String commit(Path key, String path, String text) throws Exception {
        Path file = repo.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        run(repo, "git", "add", "-A");
        List<String> argv = new ArrayList<>(List.of("git", "-c", "user.name=Op", "-c", "user.email=op@example.com"));
        if (key != null) {
            argv.addAll(List.of("-c", "gpg.format=ssh", "-c", "user.signingkey=" + key + ".pub"));
        }
        argv.addAll(List.of("commit", "-q", "-m", "change " + path));
        if (key != null) {
            argv.add("-S");
        }
        run(repo, argv.toArray(String[]::new));
        return run(repo, "git", "rev-parse", "HEAD");
    }

    @BeforeEach
    void setUp() throws Exception {
        repo = Files.createDirectories(tmp.resolve("repo"));
        run(repo, "git", "init", "-q", "-b", "main");
        ops = key("ops");
        allowed = Files.writeString(tmp.resolve("allowed_signers"), "ops@example.com namespaces=\"git\" "
                + Files.readString(Path.of(ops + ".pub")));
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
