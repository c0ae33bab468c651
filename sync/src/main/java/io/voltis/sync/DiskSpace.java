package io.voltis.sync;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import io.voltis.sync.git.Reason;
import io.voltis.sync.git.SourceException;

/**
 * The free-space check made before a revision is unpacked into the state directory and before
 * it is applied to the root: a step that would fill the disk is refused with the reason
 * {@code InsufficientSpace} before it writes anything, and tried again later. It keeps
 * {@link #HEADROOM} free beyond what the step writes, for the store and the logs.
 */
public final class DiskSpace {

    /** NOTE: docs/agent.md ("Disk space") names this figure. */
    public static final long HEADROOM = 4L * 1024 * 1024;

    private DiskSpace() {
    }

    /**
     * @param dir    where the step writes (the nearest existing parent is measured)
     * @param needed the bytes the step writes
     * @param what   the step, for the message ("unpack 1a2b3c4d5e6f")
     * @throws SourceException with {@link Reason#INSUFFICIENT_SPACE} when the file system has less
     *                         than {@code needed + HEADROOM} usable
     */
    public static void require(Path dir, long needed, String what) throws SourceException {
        Path existing = dir.toAbsolutePath();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return;
        }
        long usable;
        try {
            usable = Files.getFileStore(existing).getUsableSpace();
        } catch (IOException e) {
            return; // a file system that cannot say: the write itself will tell
        }
        if (usable < needed + HEADROOM) {
            throw new SourceException(Reason.INSUFFICIENT_SPACE, "cannot " + what + ": it needs " + mib(needed)
                    + " MiB (and " + mib(HEADROOM) + " MiB kept free) on the file system of " + dir + ", which has "
                    + mib(usable) + " MiB free; nothing was written (free some space; the agent retries)");
        }
    }

    /** The bytes of the regular files under {@code dir}. */
    public static long sizeOf(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f", bytes / (1024.0 * 1024.0));
    }
}
