package io.voltis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.voltis.agent.Agent;
import io.voltis.agent.config.AgentConfig;
import io.voltis.agent.reconcile.AgentStatus;
import io.voltis.sync.store.RevisionStore;
import io.voltis.sync.testing.SignedRepo;
import io.voltis.sync.trust.CommitVerifier.Scope;
import io.voltis.sync.trust.TrustSettings;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The commands on a device with {@code verify: enforce} (told by the daemon's agent.facts): pin
 * and rollback refuse a revision whose signature does not verify unless given
 * {@code --allow-unverified}, and say which; {@code revisions} and {@code status} show each
 * revision's signature. Commits are signed by `git commit -S` with `ssh-keygen` keys; the daemon
 * ran once in this JVM and stopped, so the commands read its store and mirror offline.
 */
class SignedPinCommandTest {

    @TempDir
    Path tmp;

    Path state;
    Path ops;
    Path allowed;
    String v1;
    String unsigned;
    String v3;

    @BeforeEach
    void setUp() throws Exception {
        Path keys = Files.createDirectories(tmp.resolve("keys"));
        ops = SignedRepo.sshKey(keys, "ops", "ed25519");
        allowed = Files.writeString(keys.resolve("allowed_signers"), "ops@example.com namespaces=\"git\" "
                + SignedRepo.publicKey(ops) + "\n");
        SignedRepo repo = SignedRepo.init(tmp.resolve("work"));
        repo.commit(ops, "devices/dev1.yaml", "workload: app\n", "device");
        repo.commit(ops, "workloads/app/workload.yaml", "apiVersion: voltis/v1\n"
                + "files:\n  - {source: files/app.conf, target: etc/app.conf}\n", "workload");
        v1 = repo.commit(ops, "workloads/app/files/app.conf", "v=1\n", "v1");
        state = tmp.resolve("state");
        AgentConfig config = new AgentConfig(repo.dir().resolve(".git").toUri().toString(), "main", "", "dev1",
                Duration.ofSeconds(30), Duration.ofSeconds(5), state, tmp.resolve("root"), AgentConfig.Runtime.PROCESS,
                "127.0.0.1:0", null, true, null, null, null, null, 2, 10, Duration.ofSeconds(2))
                .withTrust(new TrustSettings(TrustSettings.Mode.ENFORCE, Scope.CHAIN, allowed, null, null));
        Map<String, String> env = Map.of("PATH", System.getenv("PATH"), "HOME", System.getProperty("user.home"));
        try (Agent agent = Agent.start(config, env)) {
            assertThat(agent.runOnce(Duration.ofSeconds(30)).appliedRevision()).isEqualTo(v1);
        }
        unsigned = repo.commit(null, "workloads/app/files/app.conf", "v=2\n", "v2 unsigned");
        v3 = repo.commit(ops, "workloads/app/files/app.conf", "v=3\n", "v3");
        try (Agent agent = Agent.start(config, env)) {
            AgentStatus s = agent.runOnce(Duration.ofSeconds(5));
            assertThat(s.appliedRevision()).isEqualTo(v1);
            assertThat(s.lastError()).startsWith("Unsigned: commit " + unsigned.substring(0, 12));
        }
    }

    @Test
    void pin_anUnsignedRevision_isExit1_namingTheReasonAndTheFlag_andPinsNothing() throws Exception {
        Cli r = Cli.run("pin", unsigned.substring(0, 10), "--state-dir", state.toString());

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("pin: refused: " + unsigned.substring(0, 12) + " does not verify (verify: enforce):"
                + " Unsigned: not signed; to run it anyway, give --allow-unverified\n");
        try (RevisionStore store = RevisionStore.openClient(state, java.time.Clock.systemUTC())) {
            assertThat(store.pin()).isEmpty();
        }
    }

    @Test
    void pin_withAllowUnverified_pins_andSaysTheOperatorAcceptedIt() throws Exception {
        Cli r = Cli.run("pin", unsigned, "--allow-unverified", "--state-dir", state.toString());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("accepted without a verified signature (--allow-unverified)");
        try (RevisionStore store = RevisionStore.openClient(state, java.time.Clock.systemUTC())) {
            assertThat(store.pin()).hasValueSatisfying(p -> {
                assertThat(p.revision()).isEqualTo(unsigned);
                assertThat(p.allowUnverified()).isTrue();
            });
        }
    }

    @Test
    void pin_aSignedRevision_namesItsSigner() throws Exception {
        Cli r = Cli.run("pin", v3, "--state-dir", state.toString());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("; signed by ops@example.com (ssh-ed25519 SHA256:");
    }

    @Test
    void rollback_toAnUnsignedRevision_isRefused_unlessAllowed() throws Exception {
        Cli refused = Cli.run("rollback", "--to", unsigned, "--state-dir", state.toString());
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).startsWith("rollback: refused: " + unsigned.substring(0, 12) + " does not verify");

        Cli allowedRun = Cli.run("rollback", "--to", unsigned, "--allow-unverified", "--state-dir", state.toString());
        assertThat(allowedRun.exitCode()).as(allowedRun.err()).isZero();
        assertThat(allowedRun.out()).contains("back from " + v1.substring(0, 12) + " to " + unsigned.substring(0, 12))
                .contains("accepted without a verified signature");
    }

    @Test
    void revisions_andStatus_showTheSignatures() throws Exception {
        Cli revisions = Cli.run("revisions", "--state-dir", state.toString());
        assertThat(revisions.exitCode()).as(revisions.err()).isZero();
        assertThat(revisions.out()).contains("SIGNATURE");
        assertThat(revisions.outLines()).anySatisfy(l -> assertThat(l).contains(v1.substring(0, 12)).contains("Verified ops@example.com"));
        assertThat(revisions.outLines()).anySatisfy(l -> assertThat(l).contains(unsigned.substring(0, 12)).contains("Unsigned"));

        Cli status = Cli.run("status", "--state-dir", state.toString(), "--output", "json");
        assertThat(status.exitCode()).as(status.err()).isZero();
        JsonNode s = JsonMapper.builder().build().readTree(status.out());
        assertThat(s.path("signatures").path("verify").asString()).isEqualTo("enforce");
        assertThat(s.path("signatures").path("applied").path("result").asString()).isEqualTo("Verified");
        assertThat(s.path("signatures").path("applied").path("signer").asString()).startsWith("ops@example.com (ssh-ed25519 ");

        Cli text = Cli.run("status", "--state-dir", state.toString());
        assertThat(text.out()).contains("verify enforce; applied Verified by ops@example.com");
    }

    @Test
    void plan_namesTheSignatureOfWhatItPlans() {
        Cli refused = Cli.run("plan", unsigned, "--state-dir", state.toString());
        assertThat(refused.exitCode()).as(refused.err()).isZero();
        assertThat(refused.out()).contains("note: signature of " + unsigned.substring(0, 12)
                + ": Unsigned: not signed; verify: enforce does not apply it");

        Cli signed = Cli.run("plan", v3, "--state-dir", state.toString());
        assertThat(signed.out()).contains("note: signature of " + v3.substring(0, 12) + ": Verified: by ops@example.com (ssh-ed25519 ");
    }

    @Test
    void run_withAMalformedAllowedSigners_isExit2_oneLineNamingFileAndLine() throws Exception {
        Path bad = Files.writeString(tmp.resolve("bad_signers"), "# keys\nops@example.com ssh-ed25519 not-base64!\n");

        Cli r = Cli.run("run", "--repo", tmp.resolve("work").toUri().toString(), "--state-dir", tmp.resolve("s2").toString(),
                "--verify", "enforce", "--allowed-signers", bad.toString(), "--once");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().lines().findFirst().orElse("")).startsWith("voltis-agent: " + bad + ":2: the key is not base64");
        assertThat(Files.exists(tmp.resolve("s2"))).isFalse();
    }

    @Test
    void run_enforceWithoutAllowedSigners_isExit2() {
        Cli r = Cli.run("run", "--repo", tmp.resolve("work").toUri().toString(), "--state-dir", tmp.resolve("s3").toString(),
                "--verify", "enforce", "--once");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("verify: enforce needs allowed-signers FILE");
    }
}
