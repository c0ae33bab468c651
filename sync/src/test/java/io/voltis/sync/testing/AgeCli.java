package io.voltis.sync.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real {@code age} and {@code age-keygen} (Debian's age, installed by .ci/run) as child
 * processes, to make the encrypted files and identities the agent's secrets tests read. A
 * passphrase file needs a terminal, which {@code script} (util-linux) provides.
 */
public final class AgeCli {

    private AgeCli() {
    }

    /** A new identity in {@code file} (age-keygen's format, 0600); returns its recipient. */
    public static String keygen(Path file) {
        run(null, "age-keygen", "-o", file.toString());
        return recipientOf(file);
    }

    /** The recipient of the identity file {@code file}, as {@code age-keygen -y} prints it. */
    public static String recipientOf(Path file) {
        return new String(run(null, "age-keygen", "-y", file.toString()), StandardCharsets.US_ASCII).strip();
    }

    /** {@code plaintext} encrypted to each of {@code recipients} ({@code age -r ... -r ...}), binary. */
    public static byte[] encrypt(byte[] plaintext, String... recipients) {
        return age(plaintext, false, recipients);
    }

    /** As {@link #encrypt}, ASCII-armored ({@code age -a}). */
    public static byte[] encryptArmored(byte[] plaintext, String... recipients) {
        return age(plaintext, true, recipients);
    }

    /** {@code plaintext} encrypted to the recipients listed in the file {@code recipients} ({@code age -R}). */
    public static byte[] encryptToFile(byte[] plaintext, Path recipients) {
        return run(plaintext, "age", "-R", recipients.toString());
    }

    /** {@code plaintext} decrypted with the identity file {@code identity} ({@code age -d -i}). */
    public static byte[] decrypt(byte[] ciphertext, Path identity) {
        return run(ciphertext, "age", "-d", "-i", identity.toString());
    }

    /**
     * {@code plaintext} encrypted with a passphrase that age generates ({@code age -p}, an empty
     * answer at its prompt), written to {@code out}: an scrypt file.
     */
    public static byte[] encryptWithPassphrase(byte[] plaintext, Path dir) {
        try {
            Path in = Files.write(dir.resolve("passphrase-plain.txt"), plaintext);
            Path out = dir.resolve("passphrase.age");
            Files.deleteIfExists(out);
            Process p = new ProcessBuilder("script", "-qec", "age -p -o '" + out + "' '" + in + "'", "/dev/null")
                    .redirectErrorStream(true).start();
            Thread drain = new Thread(() -> {
                try {
                    p.getInputStream().transferTo(OutputStream.nullOutputStream());
                } catch (IOException ignored) {
                    // the child is gone
                }
            });
            drain.start();
            try (OutputStream stdin = p.getOutputStream()) {
                // an empty passphrase makes age generate one; a newline typed before age reads the
                // terminal may be flushed, so one is typed every 300 ms until age has written its file
                for (int i = 0; i < 60 && p.isAlive(); i++) {
                    Thread.sleep(300);
                    stdin.write('\n');
                    stdin.flush();
                }
            } catch (IOException closed) {
                // script exited: age is done
            }
            drain.join(5000);
            if (!p.waitFor(30, TimeUnit.SECONDS) || !Files.exists(out)) {
                p.destroyForcibly();
                throw new IllegalStateException("age -p under script wrote no " + out);
            }
            Files.delete(in);
            return Files.readAllBytes(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static byte[] age(byte[] plaintext, boolean armor, String... recipients) {
        List<String> command = new ArrayList<>(List.of("age"));
        if (armor) {
            command.add("-a");
        }
        for (String r : recipients) {
            command.add("-r");
            command.add(r);
        }
        return run(plaintext, command.toArray(String[]::new));
    }

    private static byte[] run(byte[] stdin, String... command) {
        try {
            Process p;
            try {
                p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.PIPE).start();
            } catch (IOException e) {
                throw new IllegalStateException(command[0] + " is not installed: apt-get install age (.ci/run does)", e);
            }
            Thread feeder = new Thread(() -> {
                try (OutputStream out = p.getOutputStream()) {
                    if (stdin != null) {
                        out.write(stdin);
                    }
                } catch (IOException ignored) {
                    // the child exited early: its exit code says why
                }
            });
            feeder.start();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Thread errors = new Thread(() -> {
                try (InputStream in = p.getErrorStream()) {
                    in.transferTo(err);
                } catch (IOException ignored) {
                    // closed
                }
            });
            errors.start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish");
            }
            feeder.join();
            errors.join();
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited " + p.exitValue() + ": " + err);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
