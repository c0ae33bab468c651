package io.voltis.agent.runtime.process;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The agent's one way to run a program to completion (package managers, {@code systemctl} and
 * {@code journalctl}, exec health checks), and the one environment policy of every child
 * (services and jobs too, through {@link #environment}):
 * <ul>
 *   <li><b>explicit environment</b>: a child sees {@link #INHERITED} from the agent's own
 *       environment and what its caller adds, nothing else — never {@code VOLTIS_GIT_TOKEN} nor
 *       any other variable of the agent (docs/decisions/0028);</li>
 *   <li><b>bounded output</b>: the last {@code maxOutput} bytes of stdout and of stderr are kept,
 *       so a chatty program cannot fill memory; stdin is {@code /dev/null};</li>
 *   <li><b>timeout with a process-group kill</b>: the program runs through {@code setsid} as the
 *       leader of its own group; past its time the whole group gets SIGTERM, then SIGKILL after
 *       {@code killGrace}, so what it forked goes too.</li>
 * </ul>
 */
public final class ChildProcess {

    /** NOTE: documented in docs/runtime-process.md and decision 0028. */
    public static final List<String> INHERITED = List.of("PATH", "HOME", "LANG", "TZ");
    /** How long to wait for the output pipes to close once the program has ended (a daemon it started may hold them). */
    private static final long DRAIN_MILLIS = 2_000;
    private static final List<String> SYSTEM_DIRS = List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin");

    private ChildProcess() {
    }

    /** What a child sees: {@link #INHERITED} from {@code agentEnv}, overridden and extended by {@code added}. */
    public static Map<String, String> environment(Map<String, String> agentEnv, Map<String, String> added) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String name : INHERITED) {
            String value = agentEnv.get(name);
            if (value != null) {
                env.put(name, value);
            }
        }
        env.putAll(added);
        return env;
    }

    /** {@code setsid} (util-linux) on {@code agentEnv}'s PATH or in the system's folders. */
    public static Optional<Path> setsid(Map<String, String> agentEnv) {
        List<String> dirs = new ArrayList<>(SYSTEM_DIRS);
        String path = agentEnv.get("PATH");
        if (path != null) {
            dirs.addAll(0, List.of(path.split(":")));
        }
        return dirs.stream().filter(d -> d.startsWith("/")).map(d -> Path.of(d, "setsid")).filter(Files::isExecutable)
                .findFirst();
    }

    /**
     * One run: {@code argv} in {@code dir} (null: the agent's) with exactly {@code env} (build it
     * with {@link #environment}), stderr into stdout when {@code mergeErrors}.
     */
    public record Request(List<String> argv, Path dir, Map<String, String> env, Duration timeout, int maxOutput,
                          boolean mergeErrors, Duration killGrace, byte[] input) {
        public Request {
            argv = List.copyOf(argv);
            env = Map.copyOf(env);
        }

        /** stdin {@code /dev/null}. */
        public Request(List<String> argv, Path dir, Map<String, String> env, Duration timeout, int maxOutput,
                       boolean mergeErrors, Duration killGrace) {
            this(argv, dir, env, timeout, maxOutput, mergeErrors, killGrace, null);
        }
    }

    /** How a run ended; {@code exitCode} only for {@link Ending#EXITED}, {@code problem} for the others. */
    public record Result(Ending ending, int exitCode, String stdout, String stderr, String problem) {
        public boolean ok() {
            return ending == Ending.EXITED && exitCode == 0;
        }
    }

    public enum Ending { EXITED, TIMED_OUT, CANNOT_START, INTERRUPTED }

    /** Runs {@code r} to its end or its timeout; never throws (an interrupt kills the group and is kept). */
    public static Result run(Request r) {
        try {
            Launcher.checkExecutable(r.argv().get(0), r.dir() == null ? Path.of("").toAbsolutePath() : r.dir(),
                    r.env().getOrDefault("PATH", "/bin:/usr/bin"));
        } catch (CannotStart e) {
            return new Result(Ending.CANNOT_START, -1, "", "", "cannot run " + e.getMessage().substring("cannot start: ".length()));
        }
        Optional<Path> setsid = setsid(System.getenv());
        List<String> argv = new ArrayList<>(r.argv().size() + 1);
        setsid.ifPresent(s -> argv.add(s.toString()));
        argv.addAll(r.argv());
        ProcessBuilder builder = new ProcessBuilder(argv)
                .redirectInput(r.input() == null ? ProcessBuilder.Redirect.from(new File("/dev/null"))
                        : ProcessBuilder.Redirect.PIPE)
                .redirectErrorStream(r.mergeErrors());
        if (r.dir() != null) {
            builder.directory(r.dir().toFile());
        }
        builder.environment().clear();
        builder.environment().putAll(r.env());
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            return new Result(Ending.CANNOT_START, -1, "", "", "cannot run " + r.argv().get(0) + ": " + e.getMessage());
        }
        if (r.input() != null) {
            feed(process, r.input());
        }
        Tail out = Tail.start(process.getInputStream(), r.maxOutput(), "voltis-child-stdout");
        Tail err = r.mergeErrors() ? null : Tail.start(process.getErrorStream(), r.maxOutput(), "voltis-child-stderr");
        boolean grouped = setsid.isPresent();
        try {
            if (!process.waitFor(r.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                kill(process, grouped, r.killGrace());
                return new Result(Ending.TIMED_OUT, -1, out.text(), err == null ? "" : err.text(),
                        "timed out after " + io.voltis.model.Durations.format(r.timeout()) + ", killed");
            }
        } catch (InterruptedException e) {
            kill(process, grouped, Duration.ZERO);
            Thread.currentThread().interrupt();
            return new Result(Ending.INTERRUPTED, -1, out.text(), err == null ? "" : err.text(), "interrupted");
        }
        return new Result(Ending.EXITED, process.exitValue(), out.text(), err == null ? "" : err.text(), null);
    }

    /** Writes {@code input} to the child's stdin on a thread of its own, then closes it; a child that does not read it loses it. */
    private static void feed(Process process, byte[] input) {
        Thread writer = new Thread(() -> {
            try (var stdin = process.getOutputStream()) {
                stdin.write(input);
            } catch (IOException e) {
                // the child closed its stdin or ended: what it did not read is its choice
            }
        }, "voltis-child-stdin");
        writer.setDaemon(true);
        writer.start();
    }

    /** SIGTERM to the group (or the process and its descendants without setsid), SIGKILL after {@code grace}. */
    private static void kill(Process process, boolean grouped, Duration grace) {
        ProcessGroup group = grouped ? ProcessGroup.ledBy(process.pid()) : null;
        List<ProcessHandle> descendants = process.descendants().toList();
        if (!grace.isZero()) {
            if (group != null) {
                group.signal("TERM");
            } else {
                process.destroy();
                descendants.forEach(ProcessHandle::destroy);
            }
            try {
                process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (group != null) {
            group.signal("KILL");
        }
        descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    /** Reads one stream to its end on its own thread, keeping its last {@code max} bytes. */
    private static final class Tail implements Runnable {
        private final InputStream in;
        private final int max;
        private final Thread thread;
        private final ByteArrayOutputStream window = new ByteArrayOutputStream();

        private Tail(InputStream in, int max, String name) {
            this.in = in;
            this.max = max;
            this.thread = new Thread(this, name);
            this.thread.setDaemon(true);
        }

        static Tail start(InputStream in, int max, String name) {
            Tail tail = new Tail(in, max, name);
            tail.thread.start();
            return tail;
        }

        @Override
        public void run() {
            byte[] buffer = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    synchronized (this) {
                        window.write(buffer, 0, n);
                        if (window.size() > 2 * max) {
                            byte[] all = window.toByteArray();
                            window.reset();
                            window.write(all, all.length - max, max);
                        }
                    }
                }
            } catch (IOException e) {
                // killed, or it closed its end: what was read is what there is
            }
        }

        /** What was read (its last {@code max} bytes); waits briefly for the end of the stream. */
        String text() {
            try {
                thread.join(DRAIN_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (this) {
                byte[] kept = window.toByteArray();
                int from = Math.max(0, kept.length - max);
                return new String(kept, from, kept.length - from, StandardCharsets.UTF_8);
            }
        }
    }
}
