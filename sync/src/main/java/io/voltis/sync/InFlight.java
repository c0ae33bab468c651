package io.voltis.sync;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * The revision step in flight — preparing or applying sha X, attempt n — kept in
 * {@code <state>/in-flight} so that a revision which kills the agent (out of memory, a kernel
 * OOM kill, a power cut) is noticed at the next start. {@link #begin} writes the record and
 * flushes it to disk (file and folder) before the step runs; {@link #end} removes it when the
 * step returns, whether it succeeded or failed. A kill -9 right after {@code begin} leaves the
 * record, and the next start reads it with {@link #leftover}: a step that died
 * {@link #QUARANTINE_AFTER} times in a row on the same sha quarantines that sha
 * (docs/decisions/0020-quarantine-a-revision-that-kills-the-agent.md).
 *
 * <p>One thread at a time (the reconcile tick). The file is 0600: state is the agent's alone.
 */
public final class InFlight {

    /** NOTE: docs/agent.md ("Limits and quarantine") states this number. */
    public static final int QUARANTINE_AFTER = 3;

    /** NOTE: the step words are shown in events and status; "prepare" covers validation and unpacking. */
    public enum Step {
        PREPARE("prepare"), APPLY("apply");

        private final String word;

        Step(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }

        static Step of(String word) {
            for (Step s : values()) {
                if (s.word.equals(word)) {
                    return s;
                }
            }
            throw new IllegalArgumentException(word);
        }
    }

    /** A step under way: the {@code attempt}-th start of a step on {@code sha} with no finished step between. */
    public record Record(Step step, String sha, int attempt) {
        String line() {
            return step.word() + " " + sha + " " + attempt + "\n";
        }
    }

    /** The sentinel for a record that is no longer needed. */
    private static final InFlight DISABLED = new InFlight(null, null);

    private final Path file;
    /** What the previous process left: the step it died in, if any. Cleared once a step on another sha ends. */
    private Record carried;

    private InFlight(Path file, Record carried) {
        this.file = file;
        this.carried = carried;
    }

    /**
     * The record of {@code stateDir}, with what the previous process left in it. An unreadable
     * record (a crash while writing it cannot leave one: it is renamed into place) is ignored.
     */
    public static InFlight open(Path stateDir) {
        Path file = new StateLayout(stateDir).inFlight();
        return new InFlight(file, read(file).orElse(null));
    }

    /** For callers that must not count crashes (a plan, a test): records nothing. */
    public static InFlight none() {
        return DISABLED;
    }

    /** The step the previous process died in, if it died in one. */
    public Optional<Record> leftover() {
        return Optional.ofNullable(carried);
    }

    /**
     * Records, durably, that {@code step} starts on {@code sha}; the attempt counts on from the
     * record the previous process left when it names the same sha.
     */
    public Record begin(Step step, String sha) throws IOException {
        int attempt = carried != null && carried.sha().equals(sha) ? carried.attempt() + 1 : 1;
        Record record = new Record(step, sha, attempt);
        if (file == null) {
            return record;
        }
        Files.createDirectories(file.getParent());
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(temp);
        Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            channel.write(StandardCharsets.UTF_8.encode(record.line()));
            channel.force(true);
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        forceFolder();
        return record;
    }

    /**
     * The step returned (succeeded or failed, but the process lived): the record goes, and the
     * count of crashes on that sha starts again from zero.
     */
    public void end() throws IOException {
        carried = null;
        if (file != null && Files.deleteIfExists(file)) {
            forceFolder();
        }
    }

    private void forceFolder() {
        try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            // not every file system lets a folder be flushed; the rename itself is atomic
        }
    }

    private static Optional<Record> read(Path file) {
        try {
            String[] parts = Files.readString(file, StandardCharsets.UTF_8).strip().split(" ");
            if (parts.length == 3 && parts[1].matches("[0-9a-f]{40}")) {
                return Optional.of(new Record(Step.of(parts[0]), parts[1], Integer.parseInt(parts[2])));
            }
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | IllegalArgumentException e) {
            // unreadable: as if absent
        }
        return Optional.empty();
    }
}
