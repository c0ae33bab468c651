package io.voltis.agent.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import io.voltis.sync.store.Event;
import io.voltis.sync.store.EventType;
import io.voltis.sync.store.RevisionRecord;
import io.voltis.sync.testing.SignedRepo;
import io.voltis.sync.trust.CommitVerifier.Scope;
import io.voltis.sync.trust.TrustSettings;
import io.voltis.sync.trust.TrustSettings.Mode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon under {@code verify: enforce | warn}, with commits signed by the real tools
 * ({@code git commit -S}, gpg.format=ssh, {@code ssh-keygen} keys) in a work tree it follows over
 * file://: what is refused keeps the last good revision running, status and the store say why,
 * and a restart does not reopen a replay.
 */
class SignedCommitsTest {

    @TempDir
    Path tmp;

    AgentFixture f;
    SignedRepo repo;
    Path ops;
    Path stranger;
    Path allowed;

    @BeforeEach
    void setUp() throws Exception {
        Path keys = Files.createDirectories(tmp.resolve("keys"));
        ops = SignedRepo.sshKey(keys, "ops", "ed25519");
        stranger = SignedRepo.sshKey(keys, "stranger", "ecdsa");
        allowed = keys.resolve("allowed_signers");
        Files.writeString(allowed, "ops@example.com namespaces=\"git\" " + SignedRepo.publicKey(ops) + "\n");
        repo = SignedRepo.init(tmp.resolve("work"));
        repo.commit(ops, "devices/dev1.yaml", "workload: app\n", "device");
        f = new AgentFixture(tmp.resolve("agent"));
        f.repoUrl = repo.dir().resolve(".git").toUri().toString();
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    String push(Path key, String version) throws Exception {
        return repo.commit(key, "workloads/app/files/app.conf", "version=" + version + "\n", "app " + version);
    }

    void workload() throws Exception {
        repo.commit(ops, "workloads/app/workload.yaml", "apiVersion: voltis/v1\n"
                + "files:\n  - {source: files/app.conf, target: etc/app.conf}\n", "workload");
    }

    void start(Mode mode, Scope scope) throws Exception {
        f.trust = new TrustSettings(mode, scope, allowed, null, null);
        f.start();
    }

    String conf() throws Exception {
        return f.file("etc/app.conf");
    }

    @Test
    void enforce_appliesSigned_refusesUnsigned_keepsTheLastGood_thenAppliesTheNextSigned() throws Exception {
        workload();
        String v1 = push(ops, "1");
        start(Mode.ENFORCE, Scope.CHAIN);
        AgentStatus s = f.converge();
        assertThat(s.phase()).isEqualTo(Phase.SYNCED);
        assertThat(s.appliedRevision()).isEqualTo(v1);
        assertThat(s.signatures().verify()).isEqualTo("enforce");
        assertThat(s.signatures().applied().result()).isEqualTo("Verified");
        assertThat(s.signatures().applied().signer()).startsWith("ops@example.com (ssh-ed25519 SHA256:");
        assertThat(f.agent.store().revision(v1).orElseThrow().trust()).isEqualTo(RevisionRecord.VERIFIED);

        String unsigned = push(null, "2");
        s = f.converge();
        assertThat(s.phase()).isEqualTo(Phase.FAILED);
        assertThat(s.appliedRevision()).isEqualTo(v1);
        assertThat(s.desiredRevision()).isEqualTo(unsigned);
        assertThat(s.lastError()).startsWith("Unsigned: commit " + unsigned.substring(0, 12));
        assertThat(s.signatures().desired().result()).isEqualTo("Unsigned");
        assertThat(conf()).isEqualTo("version=1\n");
        RevisionRecord record = f.agent.store().revision(unsigned).orElseThrow();
        assertThat(record.trust()).isEqualTo("Unsigned");
        assertThat(f.agent.store().events(20)).extracting(Event::type).contains(EventType.REVISION_REFUSED.word());
        assertThat(f.agent.apiSources().metrics().get())
                .contains("voltis_revision_verifications_total{result=\"Verified\"}")
                .contains("voltis_revision_verifications_total{result=\"Unsigned\"} 1.0");

        // ticks again: the refusal is remembered, not verified again, and still refused
        for (int i = 0; i < 3; i++) {
            s = f.agent.tickNow();
        }
        assertThat(s.lastError()).startsWith("Unsigned:");
        assertThat(f.agent.apiSources().metrics().get()).contains("voltis_revision_verifications_total{result=\"Unsigned\"} 1.0");

        // chain: a signed commit on top of the unsigned one does not launder it
        String v3 = push(ops, "3");
        s = f.converge();
        assertThat(s.appliedRevision()).isEqualTo(v1);
        assertThat(s.lastError()).startsWith("Unsigned: commit " + unsigned.substring(0, 12) + " (below " + v3.substring(0, 12) + ")");
        assertThat(conf()).isEqualTo("version=1\n");

        // the unsigned commit is replaced by a signed history: applied
        SignedRepo.run(repo.dir(), "git", "reset", "-q", "--hard", v1);
        String v4 = push(ops, "4");
        s = f.converge();
        assertThat(s.phase()).isEqualTo(Phase.SYNCED);
        assertThat(s.appliedRevision()).isEqualTo(v4);
        assertThat(s.lastError()).isNull();
        assertThat(conf()).isEqualTo("version=4\n");
    }

    /**
     * The rollout plan is only as trusted as its commit: unsigned commits that change the release
     * and pause the plan are refused as unsigned (what status must say), not obeyed as a pause.
     */
    @Test
    void anUnsignedPause_isRefusedAsUnsigned_notObeyedAsAPause() throws Exception {
        workload();
        String v1 = push(ops, "1");
        start(Mode.ENFORCE, Scope.CHAIN);
        assertThat(f.converge().appliedRevision()).isEqualTo(v1);

        String v2 = push(null, "2");
        String paused = repo.commit(null, "workloads/app/workload.yaml", "apiVersion: voltis/v1\n"
                + "files:\n  - {source: files/app.conf, target: etc/app.conf}\nrollout: {pause: true}\n", "pause, unsigned");
        AgentStatus s = f.converge();
        assertThat(s.appliedRevision()).isEqualTo(v1);
        assertThat(s.desiredRevision()).isEqualTo(paused);
        assertThat(s.lastError()).startsWith("Unsigned: commit " + v2.substring(0, 12));
        assertThat(s.rollout()).as("an untrusted plan is not shown as holding the device").isNull();
        assertThat(f.agent.store().events(50)).extracting(io.voltis.sync.store.Event::type).doesNotContain("RolloutWaiting");
    }

    @Test
    void headScope_acceptsASignedHeadOverAnUnsignedParent() throws Exception {
        workload();
        push(ops, "1");
        start(Mode.ENFORCE, Scope.HEAD);
        assertThat(f.converge().phase()).isEqualTo(Phase.SYNCED);
        push(null, "2");
        String v3 = push(ops, "3");
        AgentStatus s = f.converge();
        assertThat(s.appliedRevision()).isEqualTo(v3);
        assertThat(conf()).isEqualTo("version=3\n");
    }

    @Test
    void unknownSigner_isRefused_withTheKeyInTheReason() throws Exception {
        workload();
        String v1 = push(ops, "1");
        start(Mode.ENFORCE, Scope.CHAIN);
        f.converge();
        String bad = push(stranger, "2");
        AgentStatus s = f.converge();
        assertThat(s.appliedRevision()).isEqualTo(v1);
        assertThat(s.lastError()).startsWith("UnknownSigner: commit " + bad.substring(0, 12)).contains("SHA256:");
        assertThat(conf()).isEqualTo("version=1\n");
    }

    @Test
    void forcePushToAnOlderSignedCommit_isRefused_acrossARestart_untilTheCliPinsIt() throws Exception {
        workload();
        String v1 = push(ops, "1");
        start(Mode.ENFORCE, Scope.CHAIN);
        f.converge();
        String v2 = push(ops, "2");
        assertThat(f.converge().appliedRevision()).isEqualTo(v2);

        SignedRepo.run(repo.dir(), "git", "reset", "-q", "--hard", v1); // replay the older, validly signed commit
        AgentStatus s = f.converge();
        assertThat(s.appliedRevision()).isEqualTo(v2);
        assertThat(s.phase()).isEqualTo(Phase.FAILED);
        assertThat(s.lastError()).startsWith("NotDescendant: ");
        assertThat(conf()).isEqualTo("version=2\n");

        f.agent.close();
        f.start(); // the applied revision is durable: a restart does not reopen the replay
        s = f.converge();
        assertThat(s.appliedRevision()).isEqualTo(v2);
        assertThat(s.lastError()).startsWith("NotDescendant: ");
        assertThat(conf()).isEqualTo("version=2\n");

        f.agent.store().setPin(v1); // the operator chooses it: a verified commit, so it applies
        s = f.converge();
        assertThat(s.lastError()).isNull();
        assertThat(s.appliedRevision()).isEqualTo(v1);
        assertThat(s.lastError()).isNull();
        assertThat(s.signatures().applied().result()).isEqualTo("Verified");
        assertThat(conf()).isEqualTo("version=1\n");
    }

    @Test
    void pinToAnUnsignedCommit_isRefused_unlessAllowedUnverified_whichIsRecordedAccepted() throws Exception {
        workload();
        push(ops, "1");
        String unsigned = push(null, "2");
        String v3 = push(ops, "3");
        start(Mode.ENFORCE, Scope.HEAD);
        assertThat(f.converge().appliedRevision()).isEqualTo(v3);

        f.agent.store().setPin(unsigned);
        AgentStatus s = f.converge();
        assertThat(s.appliedRevision()).isEqualTo(v3);
        assertThat(s.lastError()).startsWith("Unsigned: commit " + unsigned.substring(0, 12));

        f.agent.store().setPin(unsigned, true);
        s = f.converge();
        assertThat(s.lastError()).isNull();
        assertThat(s.appliedRevision()).isEqualTo(unsigned);
        assertThat(s.lastError()).isNull();
        assertThat(s.signatures().applied().result()).isEqualTo("Accepted");
        assertThat(conf()).isEqualTo("version=2\n");
    }

    @Test
    void warn_appliesWhatFails_andReportsIt() throws Exception {
        workload();
        push(ops, "1");
        start(Mode.WARN, Scope.CHAIN);
        f.converge();
        String unsigned = push(null, "2");
        AgentStatus s = f.converge();
        assertThat(s.phase()).isEqualTo(Phase.SYNCED);
        assertThat(s.appliedRevision()).isEqualTo(unsigned);
        assertThat(s.signatures().applied().result()).isEqualTo("Unsigned");
        assertThat(conf()).isEqualTo("version=2\n");
        assertThat(f.agent.store().events(20)).anySatisfy(e -> {
            assertThat(e.type()).isEqualTo(EventType.REVISION_UNVERIFIED.word());
            assertThat(e.message()).contains("applied anyway (verify: warn)");
        });
    }

    @Test
    void openPgp_gpgKeys_appliesWhatTheirKeySigned_refusesAnotherKey() throws Exception {
        SignedRepo.Gpg gpg = SignedRepo.Gpg.create(tmp.resolve("gnupg"), "Ops", "ops@example.com", "never");
        SignedRepo.Gpg other = SignedRepo.Gpg.create(tmp.resolve("gnupg-other"), "Other", "other@example.com", "never");
        repo.commitGpg(gpg, gpg.program(), "workloads/app/workload.yaml", "apiVersion: voltis/v1\n"
                + "files:\n  - {source: files/app.conf, target: etc/app.conf}\n", "workload");
        String v1 = repo.commitGpg(gpg, gpg.program(), "workloads/app/files/app.conf", "version=1\n", "app 1");
        f.trust = new TrustSettings(Mode.ENFORCE, Scope.CHAIN, allowed, gpg.export(tmp.resolve("ops.asc")), null);
        f.start();
        AgentStatus s = f.converge();
        assertThat(s.appliedRevision()).isEqualTo(v1);
        assertThat(s.signatures().applied().signer()).isEqualTo("Ops <ops@example.com> (openpgp " + gpg.fingerprint() + ")");

        String bad = repo.commitGpg(other, other.program(), "workloads/app/files/app.conf", "version=2\n", "app 2");
        s = f.converge();
        assertThat(s.appliedRevision()).isEqualTo(v1);
        assertThat(s.lastError()).startsWith("UnknownSigner: commit " + bad.substring(0, 12));
        assertThat(conf()).isEqualTo("version=1\n");
    }

    /** An expired key, a revoked key and a tampered commit: each refused, last good kept, the reason in status and the event. */
    @Test
    void expiredKey_revokedKey_tamperedCommit_eachRefusedWithItsReason() throws Exception {
        Path old = SignedRepo.sshKey(tmp.resolve("keys"), "old", "ed25519");
        Path leaked = SignedRepo.sshKey(tmp.resolve("keys"), "leaked", "ed25519");
        Files.writeString(allowed, "ops@example.com namespaces=\"git\" " + SignedRepo.publicKey(ops) + "\n"
                + "old@example.com namespaces=\"git\",valid-before=\"20200101\" " + SignedRepo.publicKey(old) + "\n"
                + "leaked@example.com namespaces=\"git\" " + SignedRepo.publicKey(leaked) + "\n");
        Path revoked = Files.writeString(tmp.resolve("keys/revoked"), SignedRepo.publicKey(leaked) + "\n");
        workload();
        String v1 = push(ops, "1");
        f.trust = new TrustSettings(Mode.ENFORCE, Scope.HEAD, allowed, null, revoked);
        f.start();
        assertThat(f.converge().appliedRevision()).isEqualTo(v1);

        String byOld = push(old, "2");
        AgentStatus s = f.converge();
        assertThat(s.lastError()).startsWith("ExpiredKey: commit " + byOld.substring(0, 12)).contains("allowed_signers:2");

        String byLeaked = push(leaked, "3");
        s = f.converge();
        assertThat(s.lastError()).startsWith("RevokedKey: commit " + byLeaked.substring(0, 12));

        // the server serves a commit whose content was changed after it was signed
        String good = push(ops, "4");
        String forged = SignedRepo.run(repo.dir(), "sh", "-c", "git cat-file commit " + good
                + " | sed 's/^app 4$/app 4, and more/' | git hash-object -t commit -w --stdin");
        SignedRepo.run(repo.dir(), "git", "update-ref", "refs/heads/main", forged);
        s = f.converge();
        assertThat(s.lastError()).startsWith("BadSignature: commit " + forged.substring(0, 12));

        assertThat(s.appliedRevision()).isEqualTo(v1);
        assertThat(conf()).isEqualTo("version=1\n");
        assertThat(f.agent.store().events(50)).filteredOn(e -> e.type().equals("RevisionRefused"))
                .extracting(Event::message)
                .anySatisfy(m -> assertThat(m).startsWith("ExpiredKey: "))
                .anySatisfy(m -> assertThat(m).startsWith("RevokedKey: "))
                .anySatisfy(m -> assertThat(m).startsWith("BadSignature: ").endsWith("not applied, the device keeps running its last good revision"));
    }

    /**
     * A replayed head on a shallow mirror needs the branch's history to tell; with the server gone
     * that is not a verdict on the signature: the reason is the source's, nothing is remembered,
     * and a minute later, the server back, the head is judged (here: NotDescendant).
     */
    @Test
    void historyUnreachable_isNotASignatureVerdict_askedAgainInAMinute() throws Exception {
        io.voltis.sync.testing.MutableClock clock = new io.voltis.sync.testing.MutableClock(java.time.Instant.now());
        f.machine = new io.voltis.agent.Agent.Machine(clock, io.voltis.agent.packages.system.SystemPackages.onDevice());
        workload();
        String v1 = push(ops, "1");
        String v2 = push(ops, "2");
        start(Mode.ENFORCE, Scope.CHAIN);
        assertThat(f.converge().appliedRevision()).isEqualTo(v2); // the first fetch is shallow: v2 alone

        SignedRepo.run(repo.dir(), "git", "reset", "-q", "--hard", v1);
        assertThat(f.agent.pollNow()).isTrue(); // the replayed head is fetched...
        Path away = tmp.resolve("work-away");
        Files.move(repo.dir(), away); // ...then the server is gone
        AgentStatus s = f.agent.tickNow();
        assertThat(s.appliedRevision()).isEqualTo(v2);
        assertThat(s.phase()).isEqualTo(Phase.FAILED);
        assertThat(s.lastError()).contains("commit " + v1.substring(0, 12) + " cannot be verified yet: ")
                .doesNotStartWith("BadSignature").doesNotStartWith("NotDescendant");
        assertThat(f.agent.store().events(20)).extracting(Event::type).doesNotContain(EventType.REVISION_REFUSED.word());

        Files.move(away, repo.dir());
        assertThat(f.agent.tickNow().lastError()).contains("cannot be verified yet"); // not asked again within the minute
        clock.advance(java.time.Duration.ofSeconds(61));
        s = f.agent.tickNow();
        assertThat(s.lastError()).startsWith("NotDescendant: ");
        assertThat(s.appliedRevision()).isEqualTo(v2);
        assertThat(conf()).isEqualTo("version=2\n");
    }

    @Test
    void off_verifiesNothing_andStatusHasNoSignatures() throws Exception {
        workload();
        String v1 = push(null, "1");
        f.start();
        AgentStatus s = f.converge();
        assertThat(s.appliedRevision()).isEqualTo(v1);
        assertThat(s.signatures()).isNull();
        assertThat(f.agent.store().revision(v1).orElseThrow().trust()).isNull();
        assertThat(f.agent.apiSources().metrics().get()).doesNotContain("voltis_revision_verifications_total");
    }
}
