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

    public String head() throws IOException, InterruptedException {
        return run(dir, "git", "rev-parse", "HEAD");
    }
}
