package io.voltis.agent.runtime.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

import io.voltis.agent.runtime.ServiceLogs;

/**
 * The process runtime's logs, read from {@code <dir>/<name>.log} (see {@link ServiceLog}); the
 * daemon and the CLI both read them this way, the CLI with no daemon running. A cursor is the
 * file's identity and a byte offset: after a rotation the rest of the rotated file
 * ({@code <name>.log.1}) is read before the new one.
 */
public final class LogFiles implements ServiceLogs {

    /** How far back {@link #tail} looks for its lines. */
    private static final long TAIL_WINDOW = 4L * 1024 * 1024;
    /** How much one {@link #after} call reads at most. */
    private static final int READ_AT_MOST = 1024 * 1024;

    private final Path dir;

    public LogFiles(Path dir) {
        this.dir = dir;
    }

    /** Whether the service ever wrote a log here. */
    public boolean exists(String service) {
        return Files.exists(file(service));
    }

    @Override
    public Chunk tail(String service, int lines) {
        Path file = file(service);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            long from = Math.max(0, size - TAIL_WINDOW);
            byte[] bytes = read(ch, from, (int) (size - from));
            List<String> all = new ArrayList<>();
            int end = lastNewline(bytes) + 1;
            int start = from == 0 ? 0 : indexOfNewline(bytes, 0) + 1; // the window may start mid-line
            split(bytes, Math.min(start, end), end, all);
            List<String> last = all.subList(Math.max(0, all.size() - lines), all.size());
            return new Chunk(last, cursor(file, from + end));
        } catch (NoSuchFileException e) {
            return new Chunk(List.of(), "");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the log of " + service + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Chunk after(String service, String cursor, int max) {
        Path file = file(service);
        try {
            Object key = key(file);
            if (key == null) {
                return new Chunk(List.of(), cursor);
            }
            int colon = cursor.lastIndexOf(':');
            String cursorKey = colon < 0 ? "" : cursor.substring(0, colon);
            long offset = colon < 0 ? 0 : Long.parseLong(cursor.substring(colon + 1));
            List<String> lines = new ArrayList<>();
            if (!cursorKey.equals(String.valueOf(key))) {
                // rotated since: finish the old file (now <name>.log.1) if it is still there, then start the new one
                Path rotated = dir.resolve(service + ".log.1");
                Object rotatedKey = key(rotated);
                if (rotatedKey != null && cursorKey.equals(String.valueOf(rotatedKey))) {
                    readLines(rotated, offset, max, lines);
                }
                offset = 0;
            }
            long next = readLines(file, offset, max - lines.size(), lines);
            return new Chunk(lines, key + ":" + next);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a log cursor: " + cursor);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the log of " + service + ": " + e.getMessage(), e);
        }
    }

    private Path file(String service) {
        return dir.resolve(service + ".log");
    }

    private static long readLines(Path file, long offset, int max, List<String> into) throws IOException {
        if (max <= 0) {
            return offset;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < offset) {
                offset = 0; // truncated in place
            }
            byte[] bytes = read(ch, offset, (int) Math.min(READ_AT_MOST, size - offset));
            int end = lastNewline(bytes) + 1;
            List<String> lines = new ArrayList<>();
            split(bytes, 0, end, lines);
            if (lines.size() > max) {
                // keep the first max lines and stop the cursor after them
                int consumed = 0;
                for (int i = 0, n = 0; i < end && n < max; i++) {
                    if (bytes[i] == '\n') {
                        n++;
                        consumed = i + 1;
                    }
                }
                into.addAll(lines.subList(0, max));
                return offset + consumed;
            }
            into.addAll(lines);
            return offset + end;
        } catch (NoSuchFileException e) {
            return offset;
        }
    }

    private static byte[] read(FileChannel ch, long from, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(Math.max(0, length));
        while (buffer.hasRemaining()) {
            if (ch.read(buffer, from + buffer.position()) < 0) {
                break;
            }
        }
        byte[] bytes = new byte[buffer.position()];
        buffer.flip().get(bytes);
        return bytes;
    }

    private static void split(byte[] bytes, int from, int end, List<String> into) {
        int start = from;
        for (int i = from; i < end; i++) {
            if (bytes[i] == '\n') {
                String line = new String(bytes, start, i - start, StandardCharsets.UTF_8);
                into.add(line.length() > MAX_LINE ? line.substring(0, MAX_LINE) + "…" : line);
                start = i + 1;
            }
        }
    }

    private static int lastNewline(byte[] bytes) {
        for (int i = bytes.length - 1; i >= 0; i--) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static int indexOfNewline(byte[] bytes, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        return bytes.length - 1;
    }

    private static Object key(Path file) throws IOException {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return a.fileKey() != null ? a.fileKey() : a.creationTime().toMillis();
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static String cursor(Path file, long offset) throws IOException {
        Object key = key(file);
        return key == null ? "" : key + ":" + offset;
    }
}
