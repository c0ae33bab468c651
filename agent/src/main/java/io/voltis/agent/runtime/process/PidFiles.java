package io.voltis.agent.runtime.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code <dir>/<name>.pid} for every running service: its pid (= process group id) and the
 * kernel's start time of that process. A service runs in a session of its own, so an agent
 * killed with SIGKILL leaves it running, orphaned; the next runtime finds it through this file
 * and stops its group before starting anew. The start time guards against a pid reused by an
 * unrelated process since.
 */
final class PidFiles {

    private static final Logger LOG = LoggerFactory.getLogger(PidFiles.class);
    private static final String SUFFIX = ".pid";

    private final Path dir;
    private final Path shell;

    PidFiles(Path dir, Path shell) {
        this.dir = dir;
        this.shell = shell;
    }

    void write(String service, long pid) {
        String startTime = startTime(pid);
        if (startTime == null) {
            return; // already gone
        }
        Path file = dir.resolve(service + SUFFIX);
        try {
            Path temp = Files.createTempFile(dir, service, ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(temp, pid + " " + startTime + "\n");
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.warn("cannot write {}: {}; an agent killed now would leave service {} running", file, e.getMessage(),
                    service);
        }
    }

    /** Deletes the service's pid file if it still names {@code pid}. */
    void forget(String service, long pid) {
        Path file = dir.resolve(service + SUFFIX);
        String[] recorded = read(file);
        if (recorded != null && recorded[0].equals(Long.toString(pid))) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                LOG.warn("cannot delete {}: {}", file, e.getMessage());
            }
        }
    }

    /**
     * Stops every service group that a previous agent left running (SIGTERM, {@code grace},
     * SIGKILL) and deletes the pid files. Returns the names of the services it stopped.
     */
    List<String> stopLeftovers(Duration grace) {
        List<String> stopped = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> found = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            found.forEach(files::add);
        } catch (IOException e) {
            LOG.warn("cannot look for services left running in {}: {}", dir, e.getMessage());
            return stopped;
        }
        for (Path file : files) {
            String name = file.getFileName().toString();
            String service = name.substring(0, name.length() - SUFFIX.length());
            String[] recorded = read(file);
            if (recorded != null && recorded.length == 2 && recorded[1].equals(startTime(parse(recorded[0])))) {
                long pid = parse(recorded[0]);
                LOG.warn("service {} (pid {}) was left running by a previous agent; stopping it", service, pid);
                stop(new ProcessGroup(pid, shell), grace);
                stopped.add(service);
            }
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                LOG.warn("cannot delete {}: {}", file, e.getMessage());
            }
        }
        return stopped;
    }

    private static void stop(ProcessGroup group, Duration grace) {
        group.signal("TERM");
        long deadline = System.nanoTime() + grace.toNanos();
        try {
            while (group.alive() && System.nanoTime() - deadline < 0) {
                Thread.sleep(50); // not our child: no exit notification, poll /proc
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        group.signal("KILL");
    }

    private static String[] read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII).trim().split(" ");
        } catch (IOException e) {
            return null;
        }
    }

    private static long parse(String pid) {
        try {
            return Long.parseLong(pid);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Field 22 of {@code /proc/<pid>/stat}, or null when there is no such live process. */
    static String startTime(long pid) {
        if (pid <= 0) {
            return null;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.ISO_8859_1);
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return fields.length > 19 && !fields[0].equals("Z") ? fields[19] : null;
        } catch (IOException | StringIndexOutOfBoundsException e) {
            return null;
        }
    }
}
