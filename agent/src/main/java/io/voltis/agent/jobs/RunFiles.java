package io.voltis.agent.jobs;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;

/**
 * The files of one job run under {@code <state>/jobs/} (0700), named by its run id, which let a
 * run outlive a killed agent and still be judged by the next one:
 * <ul>
 * <li>{@code <id>.timeout}: the run's timeout in milliseconds, written before it starts;
 * <li>{@code <id>.log}: its stdout and stderr (a file, not a pipe to the agent, so that writing
 *     after the agent died does not kill it with SIGPIPE);
 * <li>{@code <id>.exit}: its exit code, written by the {@code sh} wrapper when it ends
 *     ({@code .tmp} then a rename, so a reader never sees half of it).
 * </ul>
 * All three are deleted once the run's result is in the store.
 */
final class RunFiles {

    /**
     * NOTE: {@code $1} is the exit file; the job runs as a child of this shell (not exec'd), so
     * that its status can be written whoever is left to read it.
     */
    static final String WRAPPER = "f=$1; shift; \"$@\"; s=$?; echo $s > \"$f.tmp\" && mv -f \"$f.tmp\" \"$f\"; exit $s";

    private final Path dir;

    RunFiles(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the job run directory " + dir + ": " + e.getMessage(), e);
        }
    }

    Path log(long id) {
        return dir.resolve(id + ".log");
    }

    Path exit(long id) {
        return dir.resolve(id + ".exit");
    }

    private Path timeoutFile(long id) {
        return dir.resolve(id + ".timeout");
    }

    /** The wrapper's argv before the job's own. */
    List<String> wrapper(long id) {
        return List.of("sh", "-c", WRAPPER, "voltis-job", exit(id).toString());
    }

    /** Creates the log (0600, empty) and the timeout file before the run starts. */
    void prepare(long id, Duration timeout) throws IOException {
        var owner = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
        Files.deleteIfExists(log(id));
        Files.createFile(log(id), owner);
        Files.deleteIfExists(timeoutFile(id));
        Files.createFile(timeoutFile(id), owner);
        Files.writeString(timeoutFile(id), Long.toString(timeout.toMillis()));
    }

    /** The run's timeout as written by {@link #prepare}, or empty when the file is missing or unreadable. */
    java.util.Optional<Duration> timeout(long id) {
        try {
            return java.util.Optional.of(Duration.ofMillis(Long.parseLong(Files.readString(timeoutFile(id)).strip())));
        } catch (IOException | NumberFormatException e) {
            return java.util.Optional.empty();
        }
    }

    /** The exit code the wrapper wrote, or empty when the run did not finish by itself (or has not yet). */
    OptionalInt exitCode(long id) {
        try {
            return OptionalInt.of(Integer.parseInt(Files.readString(exit(id), StandardCharsets.US_ASCII).strip()));
        } catch (IOException | NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    /** The last {@code max} bytes of the run's output, or "" without a log. */
    String tail(long id, int max) {
        try (RandomAccessFile file = new RandomAccessFile(log(id).toFile(), "r")) {
            long length = file.length();
            int size = (int) Math.min(length, max);
            byte[] bytes = new byte[size];
            file.seek(length - size);
            file.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    void delete(long id) {
        for (Path file : List.of(log(id), exit(id), timeoutFile(id), dir.resolve(id + ".exit.tmp"))) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // a leftover file is harmless: the next run of this id cannot exist
            }
        }
    }
}
