package io.voltis.agent.runtime.systemd;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one program to completion with a time limit and a cap on what it may print, and turns
 * every way that can go wrong into a {@link Systemctl.Result}. Stdin is empty, so nothing can
 * wait for a password prompt; on timeout the whole process tree is killed.
 */
final class BoundedProcess {

    /** Far above anything systemctl show or a 10-line journal tail prints. */
    static final int MAX_OUTPUT = 256 * 1024;
    private static final long DRAIN_WAIT_MILLIS = 2_000;

    private final String program;
    private final Duration timeout;
    private final Map<String, String> environment;

    BoundedProcess(String program, Duration timeout, Map<String, String> environment) {
        this.program = program;
        this.timeout = timeout;
        this.environment = Map.copyOf(environment);
    }

    Systemctl.Result run(List<String> args) {
        List<String> command = new ArrayList<>(args.size() + 1);
        command.add(program);
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().putAll(environment);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            return new Systemctl.Result(Systemctl.Result.CANNOT_RUN, "", "cannot run " + program + ": " + e.getMessage());
        }
        Drain out = Drain.start(process.getInputStream(), "voltis-systemctl-stdout");
        Drain err = Drain.start(process.getErrorStream(), "voltis-systemctl-stderr");
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(process);
                return new Systemctl.Result(Systemctl.Result.TIMED_OUT, out.text(), "timed out after " + timeout.toSeconds() + "s");
            }
        } catch (InterruptedException e) {
            kill(process);
            Thread.currentThread().interrupt();
            return new Systemctl.Result(Systemctl.Result.TIMED_OUT, out.text(), "interrupted");
        }
        return new Systemctl.Result(process.exitValue(), out.text(), err.text());
    }

    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    /** Reads one stream to its end on its own thread, keeping at most {@link #MAX_OUTPUT} bytes. */
    private static final class Drain implements Runnable {
        private final InputStream in;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private final Thread thread;

        private Drain(InputStream in, String name) {
            this.in = in;
            this.thread = new Thread(this, name);
            this.thread.setDaemon(true);
        }

        static Drain start(InputStream in, String name) {
            Drain drain = new Drain(in, name);
            drain.thread.start();
            return drain;
        }

        @Override
        public void run() {
            byte[] buffer = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    synchronized (kept) {
                        kept.write(buffer, 0, Math.max(0, Math.min(n, MAX_OUTPUT - kept.size())));
                    }
                }
            } catch (IOException e) {
                // The process was killed or closed its end: what was read so far is the answer.
            }
        }

        /** What was read; waits briefly for the end of the stream, which follows the process's exit. */
        String text() {
            try {
                thread.join(DRAIN_WAIT_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (kept) {
                return kept.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
