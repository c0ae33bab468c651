package io.voltis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;

import io.voltis.sync.testing.AgeCli;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code identity}, the start-up check of the identity, and {@code validate} of a repo with
 * secrets, in-process, against files made by the real {@code age}: every bad input is one
 * line naming the file and the fix, found without any private key.
 */
class SecretsCommandTest {

    @TempDir
    Path tmp;

    private Path repo;
    private String edge1;
    private String edge2;
    private String operator;

    private static final String WORKLOAD = "apiVersion: voltis/v1\n"
            + "files:\n"
            + "  - {source: secrets/db.env.age, target: etc/db.env, decrypt: age}\n"
            + "  - {source: app.conf, target: etc/app.conf, template: true, mode: \"0640\"}\n"
            + "services:\n  - {name: app, command: [sh, -c, 'exec sleep 1000'], env: {PW: \"${secret.pw}\"}}\n";

    @BeforeEach
    void repo() throws IOException {
        repo = tmp.resolve("repo");
        edge1 = AgeCli.keygen(tmp.resolve("edge-01.key"));
        edge2 = AgeCli.keygen(tmp.resolve("edge-02.key"));
        operator = AgeCli.keygen(tmp.resolve("operator.key"));
        write("devices/edge-01.yaml", "workload: db\nsecrets: {pw: secrets/pw.age}\n");
        write("devices/edge-02.yaml", "workload: db\nsecrets: {pw: secrets/pw.age}\n");
        write("workloads/db/workload.yaml", WORKLOAD);
        write("workloads/db/app.conf", "password=${secret.pw}\n");
        write("recipients/edge-01.txt", edge1 + "\n");
        write("recipients/edge-02.txt", "# edge-02, plant b\n" + edge2 + "\n");
        encrypt("workloads/db/secrets/db.env.age", "DB=1\n", edge1, edge2, operator);
        encrypt("workloads/db/secrets/pw.age", "pw\n", edge1, edge2, operator);
    }

    private void write(String path, String text) throws IOException {
        Path p = repo.resolve(path);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    /** Encrypts with age -R from a recipients list kept beside the file, as docs/secrets.md says. */
    private void encrypt(String path, String plain, String... recipients) throws IOException {
        write(path + ".recipients", "# " + path + "\n" + String.join("\n", recipients) + "\n");
        Files.write(repo.resolve(path), AgeCli.encryptToFile(plain.getBytes(StandardCharsets.UTF_8),
                repo.resolve(path + ".recipients")));
    }

    private Cli validate(String... more) {
        String[] args = new String[more.length + 2];
        args[0] = "validate";
        args[1] = repo.toString();
        System.arraycopy(more, 0, args, 2, more.length);
        return Cli.run(args);
    }

    @Test
    void repoWithSecrets_everyDeviceARecipient_isValid() {
        Cli cli = validate();

        assertThat(cli.out()).isEqualTo("valid: 2 devices, 1 workload\n");
        assertThat(cli.exitCode()).isZero();
    }

    @Test
    void aDeviceNotARecipient_isNamedWithItsRecipientAndTheFix() throws IOException {
        encrypt("workloads/db/secrets/pw.age", "pw\n", edge1, operator);

        Cli cli = validate();

        assertThat(cli.exitCode()).isEqualTo(Main.FAILED);
        assertThat(cli.outLines()).containsExactly("workloads/db/secrets/pw.age: not encrypted to edge-02 (" + edge2
                + ", recipients/edge-02.txt) which devices/edge-02.yaml runs; add it to workloads/db/secrets/pw.age.recipients"
                + " and re-encrypt with age -R workloads/db/secrets/pw.age.recipients", "1 problem in 2 devices, 1 workload");
    }

    @Test
    void aRecipientsListEditedWithoutReEncrypting_isCaughtByTheStanzaCount() throws IOException {
        Files.writeString(repo.resolve("workloads/db/secrets/pw.age.recipients"), edge1 + "\n" + edge2 + "\n" + operator + "\n"
                + AgeCli.keygen(tmp.resolve("new.key")) + "\n");

        Cli cli = validate();

        assertThat(cli.outLines().get(0)).isEqualTo("workloads/db/secrets/pw.age: is encrypted to 3 age recipients but"
                + " workloads/db/secrets/pw.age.recipients lists 4: re-encrypt it with age -R workloads/db/secrets/pw.age.recipients");
    }

    @Test
    void noRecipientsList_orNoDeviceRecipient_isAProblem_whenTheRepoKeepsRecipients() throws IOException {
        Files.delete(repo.resolve("workloads/db/secrets/db.env.age.recipients"));
        Files.delete(repo.resolve("recipients/edge-02.txt"));

        Cli cli = validate();

        assertThat(cli.outLines()).contains(
                "devices/edge-02.yaml: uses workloads/db/secrets/pw.age but recipients/edge-02.txt is missing or holds no age1..."
                        + " recipient: put the output of voltis-agent identity on edge-02 there",
                "workloads/db/secrets/db.env.age: cannot check whom it is encrypted to (age does not record it): keep the"
                        + " recipients it was encrypted to in workloads/db/secrets/db.env.age.recipients and encrypt with age -R"
                        + " workloads/db/secrets/db.env.age.recipients");
    }

    @Test
    void recipientsFlag_readsAnotherFolder_andWithoutRecipientsNoMembershipIsChecked() throws IOException {
        Path elsewhere = tmp.resolve("fleet-recipients");
        Files.createDirectories(elsewhere);
        Files.writeString(elsewhere.resolve("edge-01.txt"), edge1 + "\n");
        Files.writeString(elsewhere.resolve("edge-02.txt"), operator + "\n"); // not edge-02's key
        Files.delete(repo.resolve("recipients/edge-01.txt"));
        Files.delete(repo.resolve("recipients/edge-02.txt"));
        Files.delete(repo.resolve("recipients"));

        assertThat(validate().out()).isEqualTo("valid: 2 devices, 1 workload\n");
        Cli cli = validate("--recipients", elsewhere.toString());

        assertThat(cli.outLines()).hasSize(1);
        Cli flagAndHost = validate("--recipients", elsewhere.toString(), "--host", "edge-01");
        assertThat(flagAndHost.exitCode()).isEqualTo(Main.USAGE);
    }

    @Test
    void corruptTruncatedAndPassphraseFiles_areRefusedWithoutAKey() throws IOException {
        byte[] good = Files.readAllBytes(repo.resolve("workloads/db/secrets/pw.age"));
        Files.writeString(repo.resolve("workloads/db/secrets/pw.age"), "pw-in-clear-text\n");
        Files.write(repo.resolve("workloads/db/secrets/db.env.age"), Arrays.copyOf(good, 80));
        Files.write(repo.resolve("workloads/db/secrets/other.age"), AgeCli.encryptWithPassphrase("x".getBytes(StandardCharsets.UTF_8), tmp));
        write("workloads/db/workload.yaml", WORKLOAD + "  - {name: other, command: [sh, -c, 'exec sleep 1']}\n");
        write("workloads/db/workload.yaml", WORKLOAD.replace("files:\n",
                "files:\n  - {source: secrets/other.age, target: etc/other, decrypt: age}\n"));

        Cli cli = validate();

        assertThat(cli.exitCode()).isEqualTo(Main.FAILED);
        assertThat(cli.out()).contains("workloads/db/workload.yaml:3:14: files[0].source: workloads/db/secrets/other.age:"
                + " encrypted with a passphrase (age -p); devices decrypt only files encrypted to their recipient")
                .contains("files[1].source: workloads/db/secrets/db.env.age: truncated: the header ends")
                .contains("devices/edge-01.yaml:2:11: secrets.pw: workloads/db/secrets/pw.age: not an age file (it does not"
                        + " start with 'age-encryption.org/v1')")
                .doesNotContain("other.age: cannot check");
    }

    @Test
    void secretReferencedButNotDefined_andAVarNamedLikeASecret_areProblems() throws IOException {
        write("workloads/db/app.conf", "password=${secret.pw}\nkey=${secret.api_key}\n");
        write("devices/edge-02.yaml", "workload: db\nvars: {secret.pw: x}\nsecrets: {pw: secrets/pw.age}\n");

        Cli cli = validate();

        assertThat(cli.outLines()).contains(
                "workloads/db/app.conf:2:5: ${secret.api_key} is not defined in devices/edge-01.yaml secrets",
                "workloads/db/app.conf:2:5: ${secret.api_key} is not defined in devices/edge-02.yaml secrets",
                "devices/edge-02.yaml:2:8: vars.secret.pw: 'secret.pw' reads as a secret; define it under secrets: as pw");
    }

    @Test
    void secretInAHealthCheckUrl_isRefused_asItWouldShowInStatus() throws IOException {
        write("workloads/db/workload.yaml", WORKLOAD.replace("env: {PW: \"${secret.pw}\"}}",
                "env: {PW: \"${secret.pw}\"}, health: {http: \"http://u:${secret.pw}@127.0.0.1:8080/\"}}"));

        Cli cli = validate();

        assertThat(cli.outLines()).containsExactly("workloads/db/workload.yaml:6:97: services[0].health.http: ${secret.pw}"
                + " can only be used in templated files, command, run and env: here it would show in status and errors",
                "1 problem in 2 devices, 1 workload");
    }

    @Test
    void templateThatWouldEchoASecretIntoAFileEveryoneReads_isRefused() throws IOException {
        write("workloads/db/workload.yaml", WORKLOAD.replace(", mode: \"0640\"", "")
                .replace("files:\n", "files:\n  - {source: secrets/db.env.age, target: etc/db2.env, decrypt: age, template: true}\n"));

        Cli cli = validate();

        assertThat(cli.outLines()).contains(
                "workloads/db/workload.yaml:3:79: files[0].template: a decrypted file cannot also be a template; put"
                        + " ${secret.NAME} in a template instead",
                "workloads/db/workload.yaml:5:5: files[2].mode: 0644 lets every user read ${secret.pw}, which"
                        + " workloads/db/app.conf uses; set mode \"0600\" (or \"0640\" for a group)");
    }

    @Test
    void aThousandDevicesInOneRecipientsList_validate() throws IOException {
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            String host = String.format("edge-%04d", i);
            // public recipients only: a key pair per device made here, as a fleet's identity commands would
            String recipient = i < 2 ? (i == 0 ? edge1 : edge2) : newRecipient(i);
            all.append(recipient).append('\n');
            write("recipients/" + host + ".txt", recipient + "\n");
            write("devices/" + host + ".yaml", "workload: db\nsecrets: {pw: secrets/pw.age}\n");
        }
        Files.delete(repo.resolve("devices/edge-01.yaml"));
        Files.delete(repo.resolve("devices/edge-02.yaml"));
        for (String secret : List.of("workloads/db/secrets/pw.age", "workloads/db/secrets/db.env.age")) {
            write(secret + ".recipients", all.toString());
            Files.write(repo.resolve(secret), AgeCli.encryptToFile("s\n".getBytes(StandardCharsets.UTF_8),
                    repo.resolve(secret + ".recipients")));
        }

        long started = System.nanoTime();
        Cli cli = validate();
        long ms = (System.nanoTime() - started) / 1_000_000;

        assertThat(cli.out()).isEqualTo("valid: 1000 devices, 1 workload\n");
        System.out.println("validate, 1,000 devices and 2 files encrypted to 1,000 recipients: " + ms + " ms");
        write("recipients/edge-0500.txt", operator + "\n");
        assertThat(validate().outLines()).hasSize(3).allMatch(l -> l.contains("edge-0500") || l.startsWith("2 problems"));
    }

    private String newRecipient(int i) {
        try {
            var pair = new com.exceptionfactory.jagged.x25519.X25519KeyPairGenerator().generateKeyPair();
            return pair.getPublic().toString();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void identity_printsTheRecipientOnly_andRunRefusesAnIdentityOpenToOthers_exit2() throws IOException {
        Path state = tmp.resolve("state");
        Cli made = Cli.run("identity", "--state-dir", state.toString());
        assertThat(made.exitCode()).isZero();
        String recipient = made.out().strip();
        assertThat(recipient).isEqualTo(AgeCli.recipientOf(state.resolve("identity.txt")));
        assertThat(made.err()).startsWith("created " + state.resolve("identity.txt"));
        String key = Files.readString(state.resolve("identity.txt"));

        Files.setPosixFilePermissions(state.resolve("identity.txt"), PosixFilePermissions.fromString("rw-r--r--"));
        Cli run = Cli.run("run", "--once", "--repo", "file://" + repo, "--state-dir", state.toString(), "--root",
                tmp.resolve("root").toString(), "--runtime", "process");
        Cli identity = Cli.run("identity", "--state-dir", state.toString());

        assertThat(run.exitCode()).isEqualTo(Main.USAGE);
        assertThat(run.err()).contains("identity " + state.resolve("identity.txt") + " is open to others (rw-r--r--);"
                + " make it private: chmod 600 " + state.resolve("identity.txt")).doesNotContain("AGE-SECRET-KEY");
        assertThat(identity.exitCode()).isEqualTo(Main.FAILED);
        assertThat(identity.out()).isEmpty();
        assertThat(Files.readString(state.resolve("identity.txt"))).isEqualTo(key);
    }

    @Test
    void run_withAnIdentityFileSetButMissing_exits2() {
        Path missing = tmp.resolve("factory/identity.txt");

        Cli run = Cli.run("run", "--once", "--repo", "file://" + repo, "--state-dir", tmp.resolve("state").toString(),
                "--root", tmp.resolve("root").toString(), "--runtime", "process", "--identity-file", missing.toString());

        assertThat(run.exitCode()).isEqualTo(Main.USAGE);
        assertThat(run.err()).contains("identity " + missing + " does not exist; create it with: voltis-agent identity");
    }
}
