package io.voltis.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.voltis.sync.testing.SignedRepo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Signed commits end to end: the shaded jar as the daemon with {@code --verify enforce}, following
 * a repo whose commits `git commit -S` signs with an `ssh-keygen` key. An unsigned push is refused
 * with {@code Unsigned} while the device keeps running its service; a signed history after it is
 * applied. Status is read with the jar's own {@code status} command, the log from its output.
 */
class SignedCommitsJarIT {

    private static final Path JAR = Fixtures.projectRoot().resolve("cli/target/voltis-agent.jar");
    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path tmp;

    private Process daemon;

    @AfterEach
    void stop() throws InterruptedException {
        if (daemon != null) {
            daemon.destroy();
            if (!daemon.waitFor(30, TimeUnit.SECONDS)) {
                daemon.destroyForcibly();
            }
        }
    }

    private List<String> java() {
        return new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString()));
    }

    private JsonNode status() {
        try {
            List<String> command = java();
            command.addAll(List.of("status", "-o", "json", "--state-dir", tmp.resolve("state").toString()));
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            byte[] out = p.getInputStream().readAllBytes();
            return p.waitFor() == 0 ? JSON.readTree(new String(out, StandardCharsets.UTF_8)) : JSON.createObjectNode();
        } catch (IOException e) {
            return JSON.createObjectNode();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return JSON.createObjectNode();
        }
    }

    private String conf() throws IOException {
        Path file = tmp.resolve("root/etc/app.conf");
        return Files.exists(file) ? Files.readString(file) : "";
    }

    private long servicePid() throws IOException {
        Path file = tmp.resolve("state/logs/web.pid");
        return Files.exists(file) ? Long.parseLong(Files.readString(file).strip().split("\\s+")[0]) : -1;
    }

    /**
     * The classes it costs (decision 0032): with verify off, `run --once` loads none of JGit's
     * signing classes nor BouncyCastle (-verbose:class); with enforce it loads JGit's SSH ones,
     * and BouncyCastle still not, as no OpenPGP signature was checked.
     */
    @Test
    void verificationClasses_loadOnlyWhenVerificationIsOn() throws Exception {
        Path keys = Files.createDirectories(tmp.resolve("keys"));
        Path ops = SignedRepo.sshKey(keys, "ops", "ed25519");
        Path allowed = Files.writeString(keys.resolve("allowed_signers"), "ops@example.com namespaces=\"git\" "
                + SignedRepo.publicKey(ops) + "\n");
        SignedRepo repo = SignedRepo.init(tmp.resolve("work"));
        repo.commit(ops, "devices/dev1.yaml", "workload: app\n", "device");
        repo.commit(ops, "workloads/app/workload.yaml", "apiVersion: voltis/v1\n", "workload");

        String off = loadedClasses(repo, "off");
        String on = loadedClasses(repo, "on", "--verify", "enforce", "--allowed-signers", allowed.toString());

        assertThat(off).contains("io.voltis.agent.reconcile.TrustGate").doesNotContain("org.eclipse.jgit.signing.ssh")
                .doesNotContain("org.eclipse.jgit.internal.signing").doesNotContain("io.voltis.sync.trust.CommitVerifier source")
                .doesNotContain("org.bouncycastle");
        assertThat(on).contains("org.eclipse.jgit.signing.ssh.SshSignatureVerifier")
                .contains("io.voltis.sync.trust.CommitVerifier source").doesNotContain("org.bouncycastle");
    }

    /** The classes `run --once` loads, from -verbose:class; it must converge (exit 0). */
    private String loadedClasses(SignedRepo repo, String name, String... flags) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-verbose:class", "-jar", JAR.toString(), "run", "--once", "--repo", repo.dir().resolve(".git").toUri().toString(),
                "--hostname", "dev1", "--state-dir", tmp.resolve(name + "/state").toString(), "--root",
                tmp.resolve(name + "/root").toString(), "--runtime", "process", "--listen", "127.0.0.1:0"));
        command.addAll(List.of(flags));
        Path out = tmp.resolve(name + ".classes");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String text = Files.readString(out);
        assertThat(p.exitValue()).as(text.lines().filter(l -> !l.startsWith("[")).toList().toString()).isZero();
        return text;
    }

    @Test
    void aSignedRepoIsFollowed_anUnsignedPushIsRefusedWhileTheDeviceKeepsRunning_aSignedPushAfterIsApplied() throws Exception {
        Path keys = Files.createDirectories(tmp.resolve("keys"));
        Path ops = SignedRepo.sshKey(keys, "ops", "ed25519");
        Path allowed = Files.writeString(keys.resolve("allowed_signers"), "ops@example.com namespaces=\"git\","
                + "valid-after=\"20200101\" " + SignedRepo.publicKey(ops) + "\n");
        SignedRepo repo = SignedRepo.init(tmp.resolve("work"));
        repo.commit(ops, "devices/dev1.yaml", "workload: app\n", "device");
        repo.commit(ops, "workloads/app/workload.yaml", "apiVersion: voltis/v1\n"
                + "files:\n  - {source: files/app.conf, target: etc/app.conf}\n"
                + "services:\n  - {name: web, command: [sh, -c, \"exec sleep 1000\"]}\n", "workload");
        String v1 = repo.commit(ops, "workloads/app/files/app.conf", "version=1\n", "v1");

        List<String> command = java();
        command.addAll(List.of("run", "--repo", repo.dir().resolve(".git").toUri().toString(), "--hostname", "dev1",
                "--state-dir", tmp.resolve("state").toString(), "--root", tmp.resolve("root").toString(),
                "--runtime", "process", "--interval", "1s", "--reconcile-interval", "1s", "--stop-grace", "3s",
                "--listen", "127.0.0.1:0", "--verify", "enforce", "--allowed-signers", allowed.toString()));
        Path log = tmp.resolve("daemon.log");
        daemon = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();

        await().atMost(PATIENCE).until(() -> "Synced".equals(status().path("phase").asString()));
        JsonNode s = status();
        assertThat(s.path("appliedRevision").asString()).isEqualTo(v1);
        assertThat(s.path("signatures").path("applied").path("result").asString()).isEqualTo("Verified");
        assertThat(s.path("signatures").path("applied").path("signer").asString()).startsWith("ops@example.com (ssh-ed25519 SHA256:");
        assertThat(conf()).isEqualTo("version=1\n");
        long web = servicePid();
        assertThat(ProcessHandle.of(web).map(ProcessHandle::isAlive)).contains(true);

        String unsigned = repo.commit(null, "workloads/app/files/app.conf", "version=2\n", "v2, unsigned");
        await().atMost(PATIENCE).until(() -> status().path("lastError").asString("").startsWith("Unsigned:"));
        s = status();
        assertThat(s.path("phase").asString()).isEqualTo("Failed");
        assertThat(s.path("appliedRevision").asString()).isEqualTo(v1);
        assertThat(s.path("desiredRevision").asString()).isEqualTo(unsigned);
        assertThat(s.path("lastError").asString()).startsWith("Unsigned: commit " + unsigned.substring(0, 12) + ": not signed");
        assertThat(s.path("signatures").path("desired").path("result").asString()).isEqualTo("Unsigned");
        assertThat(conf()).isEqualTo("version=1\n");
        assertThat(servicePid()).isEqualTo(web);
        assertThat(ProcessHandle.of(web).map(ProcessHandle::isAlive)).contains(true);
        assertThat(Files.readString(log)).contains("Unsigned: commit " + unsigned.substring(0, 12)
                + ": not signed; not applied, the device keeps running its last good revision");

        // the operator replaces the unsigned commit with a signed one and force-pushes
        SignedRepo.run(repo.dir(), "git", "reset", "-q", "--hard", v1);
        String v3 = repo.commit(ops, "workloads/app/files/app.conf", "version=3\n", "v3, signed");
        await().atMost(PATIENCE).until(() -> v3.equals(status().path("appliedRevision").asString())
                && "Synced".equals(status().path("phase").asString()));
        assertThat(conf()).isEqualTo("version=3\n");
        assertThat(status().path("lastError").isNull()).isTrue();
        assertThat(Files.readString(log)).doesNotContain("Exception");
    }
}
