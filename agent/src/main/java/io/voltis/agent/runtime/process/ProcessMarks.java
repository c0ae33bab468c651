package io.voltis.agent.runtime.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the processes the agent started, and everything they started, however they left their
 * process group or session ({@code setsid}, a double fork): each service and job is started with
 * one environment variable, {@code NAME=<token>/<what>}, which its descendants inherit, and
 * {@code /proc/<pid>/environ} is scanned for it. The token is random and kept in
 * {@code <state>/process-mark}, so two agents on one machine (two state directories) never
 * touch each other's processes, and a pid reused by an unrelated process is never mistaken
 * (the environment is the one the process was executed with).
 *
 * <p>Reach: the agent must be allowed to read the environment — root reads every process's;
 * a non-root agent reads those of its own user. A process that clears its environment
 * ({@code env -i}) escapes.
 */
public final class ProcessMarks {

    private static final Logger LOG = LoggerFactory.getLogger(ProcessMarks.class);
    private static final Path PROC = Path.of("/proc");
    private static final Pattern TOKEN = Pattern.compile("[0-9a-f]{16}");
    /** NOTE: documented in docs/runtime-process.md and docs/agent.md. */
    public static final String SERVICE_VAR = "VOLTIS_SERVICE_ID";
    /** NOTE: documented in docs/agent.md. */
    public static final String JOB_VAR = "VOLTIS_JOB_RUN";

    private final String token;
    private final Path shell;

    private ProcessMarks(String token, Path shell) {
        this.token = token;
        this.shell = shell;
    }

    /** The marks of the agent whose state directory is {@code stateDir}: its token, created (0600) on first use. */
    public static ProcessMarks forStateDir(Path stateDir) {
        Path file = new io.voltis.sync.StateLayout(stateDir).processMark();
        try {
            Files.createDirectories(stateDir);
            if (!Files.exists(file)) {
                byte[] random = new byte[8];
                new SecureRandom().nextBytes(random);
                Path temp = Files.createTempFile(stateDir, "process-mark", ".tmp",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(temp, HexFormat.of().formatHex(random) + "\n");
                try {
                    Files.createLink(file, temp);
                } catch (FileAlreadyExistsException e) {
                    // another start won the race: its token is the one
                } finally {
                    Files.delete(temp);
                }
            }
            String token = Files.readString(file, StandardCharsets.US_ASCII).strip();
            if (!TOKEN.matcher(token).matches()) {
                throw new IllegalStateException(file + " does not hold a process mark (16 hex digits); delete it"
                        + " after making sure no service or job of this agent runs");
            }
            return new ProcessMarks(token, Path.of("/bin/sh"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read or create " + file + ": " + e.getMessage(), e);
        }
    }

    /** The value that marks the processes of service {@code name}. */
    public String service(String name) {
        return token + "/service/" + name;
    }

    /** The value that marks the processes of job run {@code runId}. */
    public String job(long runId) {
        return token + "/job/" + runId;
    }

    /** Live processes carrying {@code var=value} exactly. */
    public List<Long> find(String var, String value) {
        return scan(var + "=" + value, false);
    }

    /** Live processes carrying {@code var} with any value of this agent (a killed agent's leftovers). */
    public List<Long> findAny(String var) {
        return scan(var + "=" + token + "/", true);
    }

    /**
     * Ends the processes carrying {@code var=value}: SIGTERM, up to {@code grace} for them to go,
     * SIGKILL to what is left. Returns how many there were.
     */
    public int end(String var, String value, Duration grace) {
        return end(() -> find(var, value), grace);
    }

    /** As {@link #end}, for every process carrying {@code var} with a value of this agent. */
    public int endAll(String var, Duration grace) {
        return end(() -> findAny(var), grace);
    }

    private int end(java.util.function.Supplier<List<Long>> lookup, Duration grace) {
        List<Long> found = lookup.get();
        if (found.isEmpty()) {
            return 0;
        }
        signal("TERM", found);
        long deadline = System.nanoTime() + grace.toNanos();
        try {
            List<Long> left = lookup.get();
            while (!left.isEmpty() && System.nanoTime() - deadline < 0) {
                Thread.sleep(50); // not our children: no exit notification, poll /proc
                left = lookup.get();
            }
            if (!left.isEmpty()) {
                signal("KILL", left);
            }
        } catch (InterruptedException e) {
            signal("KILL", lookup.get());
            Thread.currentThread().interrupt();
        }
        return found.size();
    }

    private void signal(String signal, List<Long> pids) {
        if (pids.isEmpty()) {
            return;
        }
        StringBuilder script = new StringBuilder("kill -").append(signal);
        pids.forEach(pid -> script.append(' ').append(pid));
        ProcessBuilder kill = new ProcessBuilder(shell.toString(), "-c", script + " 2>/dev/null; exit 0")
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        kill.environment().clear();
        try {
            Process p = kill.start();
            if (!p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (IOException e) {
            LOG.warn("cannot signal {}: {}", pids, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static List<Long> scan(String entry, boolean prefix) {
        byte[] wanted = entry.getBytes(StandardCharsets.UTF_8);
        List<Long> found = new ArrayList<>();
        long self = ProcessHandle.current().pid();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC, ProcessMarks::isPid)) {
            for (Path dir : entries) {
                long pid = Long.parseLong(dir.getFileName().toString());
                if (pid != self && carries(dir, wanted, prefix) && live(dir)) {
                    found.add(pid);
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot list /proc: {}", e.getMessage());
        }
        return found;
    }

    /** Whether the NUL-separated {@code environ} has an entry equal to (or starting with) {@code wanted}. */
    static boolean carries(byte[] environ, byte[] wanted, boolean prefix) {
        int start = 0;
        for (int i = 0; i <= environ.length; i++) {
            if (i == environ.length || environ[i] == 0) {
                int length = i - start;
                if (prefix ? length >= wanted.length : length == wanted.length) {
                    boolean same = true;
                    for (int j = 0; j < wanted.length && same; j++) {
                        same = environ[start + j] == wanted[j];
                    }
                    if (same) {
                        return true;
                    }
                }
                start = i + 1;
            }
        }
        return false;
    }

    private static boolean carries(Path dir, byte[] wanted, boolean prefix) {
        try {
            return carries(Files.readAllBytes(dir.resolve("environ")), wanted, prefix);
        } catch (IOException | SecurityException e) {
            return false; // gone, a kernel thread, or another user's process we may not read
        }
    }

    private static boolean live(Path dir) {
        try {
            String stat = Files.readString(dir.resolve("stat"), StandardCharsets.ISO_8859_1);
            int close = stat.lastIndexOf(')');
            char state = close < 0 || close + 2 >= stat.length() ? '?' : stat.charAt(close + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean isPid(Path entry) {
        String name = entry.getFileName().toString();
        return !name.isEmpty() && name.chars().allMatch(Character::isDigit);
    }
}
