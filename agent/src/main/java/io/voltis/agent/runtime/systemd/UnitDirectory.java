package io.voltis.agent.runtime.systemd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * The unit files this runtime owns in one directory. A file is ours when its name is
 * {@code voltis-*.service} and its marker lines name a workload and service that give back that
 * same file name, so the agent's own {@code voltis-agent.service} or a hand-written unit is
 * never touched. Writes are atomic (temporary file, fsync, rename, 0644) and each change is
 * bracketed by a {@code .pending} marker that survives a crash: a unit whose marker is still
 * there has not been reloaded and restarted yet, whatever its content.
 */
final class UnitDirectory {

    private static final Set<PosixFilePermission> MODE_0644 = PosixFilePermissions.fromString("rw-r--r--");
    private static final Set<PosixFilePermission> MODE_0600 = PosixFilePermissions.fromString("rw-------");

    /** A unit file found on disk and the service it runs. */
    record Managed(String unit, String workload, String service) {
    }

    private final Path dir;

    UnitDirectory(Path dir) {
        this.dir = dir;
    }

    Path path(String unit) {
        return dir.resolve(unit);
    }

    /** The file's text, or null when there is none. */
    String read(String unit) throws IOException {
        try {
            return Files.readString(path(unit), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    void write(String unit, String content) throws IOException {
        write(unit, content, false);
    }

    /**
     * Writes the unit; {@code secret}: 0600, as its command or environment holds a secret
     * (the temporary file is 0600 from its creation, so no moment exposes it).
     */
    void write(String unit, String content, boolean secret) throws IOException {
        Files.createDirectories(dir);
        Path temp = dir.resolve("." + unit + ".tmp");
        Files.deleteIfExists(temp);
        try {
            try (FileChannel out = FileChannel.open(temp, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(MODE_0600))) {
                ByteBuffer bytes = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
                while (bytes.hasRemaining()) {
                    out.write(bytes);
                }
                out.force(true);
            }
            Files.setPosixFilePermissions(temp, secret ? MODE_0600 : MODE_0644);
            Files.move(temp, path(unit), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
        syncDirectory();
    }

    void delete(String unit) throws IOException {
        Files.deleteIfExists(path(unit));
        Files.deleteIfExists(pendingMarker(unit));
        syncDirectory();
    }

    boolean isPending(String unit) {
        return Files.exists(pendingMarker(unit));
    }

    void markPending(String unit) throws IOException {
        Files.createDirectories(dir);
        if (!isPending(unit)) {
            Files.write(pendingMarker(unit), new byte[0]);
            syncDirectory();
        }
    }

    void clearPending(String unit) throws IOException {
        Files.deleteIfExists(pendingMarker(unit));
    }

    /** Every unit of ours in the directory, by unit name. */
    List<Managed> scan() throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Managed> found = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, UnitFile.PREFIX + "*" + UnitFile.SUFFIX)) {
            for (Path file : files) {
                Managed managed = identify(file);
                if (managed != null) {
                    found.add(managed);
                }
            }
        }
        found.sort(Comparator.comparing(Managed::unit));
        return found;
    }

    private static Managed identify(Path file) throws IOException {
        String workload = null;
        String service = null;
        List<String> lines;
        try {
            if (!Files.isRegularFile(file)) {
                return null;
            }
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return null; // removed while we listed
        } catch (CharacterCodingException e) {
            return null; // not a file we wrote
        }
        for (String line : lines) {
            if (line.startsWith("[")) {
                break;
            } else if (line.startsWith(UnitFile.WORKLOAD_MARKER)) {
                workload = line.substring(UnitFile.WORKLOAD_MARKER.length());
            } else if (line.startsWith(UnitFile.SERVICE_MARKER)) {
                service = line.substring(UnitFile.SERVICE_MARKER.length());
            }
        }
        if (workload == null || service == null) {
            return null;
        }
        String unit = file.getFileName().toString();
        try {
            return UnitFile.unitName(workload, service).equals(unit) ? new Managed(unit, workload, service) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private Path pendingMarker(String unit) {
        return dir.resolve("." + unit + ".pending");
    }

    /** Makes the rename or removal itself durable; best effort, as not every file system allows it. */
    private void syncDirectory() {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // The file's own fsync already happened; only the directory entry's durability is at stake.
        }
    }
}
