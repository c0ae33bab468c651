package io.voltis.agent.packages.system;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@link CommandRunner} over real child processes: stdin is /dev/null, stderr is merged into
 * stdout, and a named daemon thread keeps the last {@code maxLines} lines (each cut to
 * {@code maxLineLength} characters), so a chatty or hung command can neither fill memory nor
 * block the caller past its timeout.
 */
final class ProcessRunner implements CommandRunner {

    /** How long to wait for the output pipe to close once the command itself has ended. */
    private static final long DRAIN_MILLIS = 2_000;

    private final int maxLines;
    private final int maxLineLength;

    ProcessRunner(int maxLines, int maxLineLength) {
        this.maxLines = maxLines;
        this.maxLineLength = maxLineLength;
    }

    @Override
    public Result run(List<String> argv, Map<String, String> env, Duration timeout)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(argv)
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().putAll(env);
        Process process = builder.start();
        Tail tail = new Tail(maxLines, maxLineLength);
        Thread reader = new Thread(() -> tail.drain(process.getInputStream()), "voltis-command-output");
        reader.setDaemon(true);
        reader.start();
        try {
            boolean ended = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!ended) {
                kill(process);
            }
            // A daemon the command started may keep the pipe open: take what came, don't wait for it.
            reader.join(DRAIN_MILLIS);
            return ended ? new Result(process.exitValue(), tail.lines(), false) : new Result(-1, tail.lines(), true);
        } catch (InterruptedException e) {
            kill(process);
            throw e;
        }
    }

    /** SIGTERM to the command, then to its descendants (listed first: they outlive it), SIGKILL after 5s. */
    private static void kill(Process process) throws InterruptedException {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroy();
        descendants.forEach(ProcessHandle::destroy);
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        process.waitFor(5, TimeUnit.SECONDS);
    }

    /** The bounded tail of a byte stream, split into lines. */
    private static final class Tail {
        private final int maxLines;
        private final int maxLineLength;
        private final Deque<String> lines = new ArrayDeque<>();
        private final ByteArrayOutputStream current = new ByteArrayOutputStream();

        Tail(int maxLines, int maxLineLength) {
            this.maxLines = maxLines;
            this.maxLineLength = maxLineLength;
        }

        void drain(InputStream in) {
            byte[] buffer = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    accept(buffer, n);
                }
            } catch (IOException e) {
                // The process was killed or closed its end: what was read is what there is.
            }
            synchronized (this) {
                if (current.size() > 0) {
                    endLine();
                }
            }
        }

        private synchronized void accept(byte[] buffer, int n) {
            for (int i = 0; i < n; i++) {
                byte b = buffer[i];
                if (b == '\n') {
                    endLine();
                } else if (b != '\r' && current.size() < maxLineLength * 4) {
                    current.write(b);
                }
            }
        }

        private void endLine() {
            String line = current.toString(StandardCharsets.UTF_8);
            current.reset();
            if (line.length() > maxLineLength) {
                line = line.substring(0, maxLineLength) + "…";
            }
            lines.addLast(line);
            if (lines.size() > maxLines) {
                lines.removeFirst();
            }
        }

        synchronized List<String> lines() {
            List<String> copy = new ArrayList<>(lines);
            if (current.size() > 0) {
                String partial = current.toString(StandardCharsets.UTF_8);
                copy.add(partial.length() > maxLineLength ? partial.substring(0, maxLineLength) + "…" : partial);
            }
            return copy.size() > maxLines ? copy.subList(copy.size() - maxLines, copy.size()) : copy;
        }
    }
}
