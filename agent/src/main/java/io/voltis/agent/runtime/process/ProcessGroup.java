package io.voltis.agent.runtime.process;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process group of one service (its id is the pid of the process {@code setsid} turned
 * into a group leader). A signal goes to the whole group at once through {@code kill -SIG -PGID}
 * run by {@code /bin/sh} (its built-in {@code kill} exists on every system, unlike procps);
 * the group's members are read from {@code /proc}.
 */
public final class ProcessGroup {

    private static final Logger LOG = LoggerFactory.getLogger(ProcessGroup.class);
    private static final Path PROC = Path.of("/proc");

    private final long id;
    private final Path shell;

    ProcessGroup(long id, Path shell) {
        this.id = id;
        this.shell = shell;
    }

    /** The group led by {@code pid} (a process started through {@code setsid}); signals go through {@code /bin/sh}. */
    public static ProcessGroup ledBy(long pid) {
        return new ProcessGroup(pid, Path.of("/bin/sh"));
    }

    long id() {
        return id;
    }

    /** Sends {@code signal} ({@code TERM}, {@code KILL}) to every member, if there is any left. */
    public void signal(String signal) {
        if (members(id).isEmpty()) {
            return;
        }
        ProcessBuilder kill = new ProcessBuilder(shell.toString(), "-c", "kill -" + signal + " -" + id)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        kill.environment().clear();
        try {
            Process p = kill.start();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                LOG.warn("kill -{} -{} did not finish", signal, id);
            }
        } catch (IOException e) {
            LOG.warn("cannot signal process group {}: {}", id, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether any process of the group is still alive (zombies do not count). */
    boolean alive() {
        return !members(id).isEmpty();
    }

    /** The live processes whose process group is {@code pgid}, read from {@code /proc/<pid>/stat}. */
    static List<Long> members(long pgid) {
        List<Long> found = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC, ProcessGroup::isPid)) {
            for (Path entry : entries) {
                String stat = read(entry.resolve("stat"));
                if (stat != null && isLiveMemberOf(stat, pgid)) {
                    found.add(Long.parseLong(entry.getFileName().toString()));
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot list /proc: {}", e.getMessage());
        }
        return found;
    }

    /** {@code pid (comm) state ppid pgrp ...}; comm may hold spaces and parentheses, so split after the last ')'. */
    static boolean isLiveMemberOf(String stat, long pgid) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            return false;
        }
        String[] fields = stat.substring(close + 1).trim().split(" ");
        if (fields.length < 3) {
            return false;
        }
        char state = fields[0].isEmpty() ? '?' : fields[0].charAt(0);
        return state != 'Z' && state != 'X' && fields[2].equals(Long.toString(pgid));
    }

    private static boolean isPid(Path entry) {
        String name = entry.getFileName().toString();
        return !name.isEmpty() && name.chars().allMatch(Character::isDigit);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return null; // the process ended while we looked
        }
    }
}
