package io.voltis.sync.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A Git work tree whose commits are made and signed by the real tools: `git commit -S` with
 * gpg.format=ssh and keys from `ssh-keygen` (what operators do), for tests of signature checks.
 */
public final class SignedRepo {

    private final Path dir;

    private SignedRepo(Path dir) {
        this.dir = dir;
    }

    /** {@code git init -b main} in {@code dir} (created). */
    public static SignedRepo init(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        run(dir, "git", "init", "-q", "-b", "main");
        return new SignedRepo(dir);
    }

    public Path dir() {
        return dir;
    }

    /** Runs {@code argv} in {@code dir}; its output, stripped. @throws IllegalStateException when it fails */
    public static String run(Path dir, String... argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", argv) + " failed: " + out);
        }
        return out.strip();
    }

    /** {@code ssh-keygen -t type} into {@code dir/name} (no passphrase); the private key's path ({@code .pub} beside it). */
    public static Path sshKey(Path dir, String name, String type) throws IOException, InterruptedException {
        Path key = dir.resolve(name);
        run(dir, "ssh-keygen", "-q", "-t", type, "-N", "", "-C", name, "-f", key.toString());
        return key;
    }

    /** The public key line of {@code key} ({@code keytype base64 comment}). */
    public static String publicKey(Path key) throws IOException {
        return Files.readString(Path.of(key + ".pub")).strip();
    }

    /** Writes {@code text} to {@code path} and commits everything, signed with {@code key} (null: unsigned); the new SHA. */
    public String commit(Path key, String path, String text, String message) throws IOException, InterruptedException {
        Path file = dir.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        run(dir, "git", "add", "-A");
        List<String> argv = new ArrayList<>(List.of("git", "-c", "user.name=Op", "-c", "user.email=op@example.com"));
        if (key != null) {
            argv.addAll(List.of("-c", "gpg.format=ssh", "-c", "user.signingkey=" + key + ".pub"));
        }
        argv.addAll(List.of("commit", "-q", "-m", message));
        if (key != null) {
            argv.add("-S");
        }
        run(dir, argv.toArray(String[]::new));
        return head();
    }

    /**
     * A GnuPG home of its own under {@code home} (0700) with one signing key made by
     * {@code gpg --quick-gen-key} (no passphrase), for commits signed with gpg.format=openpgp.
     *
     * @param expire as gpg takes it: {@code never}, {@code 1d}, ...
     */
    public record Gpg(Path home, String fingerprint, String email) {

        public static Gpg create(Path home, String name, String email, String expire) throws IOException, InterruptedException {
            return create(home, name, email, expire, null);
        }

        /** As {@link #create(Path, String, String, String)}, the key made as if on {@code madeOn} (null: now). */
        public static Gpg create(Path home, String name, String email, String expire, String madeOn)
                throws IOException, InterruptedException {
            Files.createDirectories(home);
            Files.setPosixFilePermissions(home, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            Gpg gpg = new Gpg(home, null, email);
            List<String> argv = new ArrayList<>(List.of("--batch", "--passphrase", ""));
            if (madeOn != null) {
                argv.addAll(List.of("--faked-system-time", madeOn + "!"));
            }
            argv.addAll(List.of("--quick-gen-key", name + " <" + email + ">", "default", "default", expire));
            gpg.run(argv.toArray(String[]::new));
            String colons = gpg.run("--batch", "--with-colons", "--list-keys", email);
            String fpr = colons.lines().filter(l -> l.startsWith("fpr:")).findFirst().orElseThrow().split(":")[9];
            return new Gpg(home, fpr, email);
        }

        /** {@code gpg --homedir home ARGS}; its output. */
        public String run(String... args) throws IOException, InterruptedException {
            List<String> argv = new ArrayList<>(List.of("gpg", "--homedir", home.toString()));
            argv.addAll(List.of(args));
            return SignedRepo.run(home, argv.toArray(String[]::new));
        }

        /** The public key as {@code gpg --export --armor} writes it, into {@code file}. */
        public Path export(Path file) throws IOException, InterruptedException {
            Files.writeString(file, run("--export", "--armor", fingerprint) + "\n");
            return file;
        }

        /** Imports the revocation certificate gpg made with the key: the key is revoked from now on. */
        public void revoke() throws IOException, InterruptedException {
            Path cert = home.resolve("openpgp-revocs.d/" + fingerprint + ".rev");
            Path ready = home.resolve("revoke.asc");
            Files.writeString(ready, Files.readString(cert).replace(":-----BEGIN PGP PUBLIC KEY BLOCK-----",
                    "-----BEGIN PGP PUBLIC KEY BLOCK-----"));
            run("--batch", "--import", ready.toString());
        }

        /**
         * Sets the key's expiry as gpg would have on {@code day} (e.g. {@code 20200102T000000}):
         * with a key made before it, a new self-signature saying it expired a day after.
         */
        public void expireOn(String day) throws IOException, InterruptedException {
            run("--batch", "--faked-system-time", day + "!", "--quick-set-expire", fingerprint, "1d");
        }

        /** A gpg.program for git that uses this home. */
        public Path program() throws IOException {
            Path script = home.resolve("gpg-here");
            Files.writeString(script, "#!/bin/sh\nexec gpg --homedir '" + home + "' \"$@\"\n");
            script.toFile().setExecutable(true);
            return script;
        }
    }

    /** Writes {@code text} to {@code path} and commits everything, signed with OpenPGP by {@code gpg} through {@code program}. */
    public String commitGpg(Gpg gpg, Path program, String path, String text, String message) throws IOException, InterruptedException {
        Path file = dir.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        run(dir, "git", "add", "-A");
        run(dir, "git", "-c", "user.name=Op", "-c", "user.email=" + gpg.email(), "-c", "gpg.format=openpgp",
                "-c", "gpg.program=" + program, "-c", "user.signingkey=" + gpg.fingerprint(), "commit", "-q", "-S", "-m", message);
        return head();
    }

    public String head() throws IOException, InterruptedException {
        return run(dir, "git", "rev-parse", "HEAD");
    }
}
