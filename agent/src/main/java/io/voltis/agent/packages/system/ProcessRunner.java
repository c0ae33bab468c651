package io.voltis.agent.packages.system;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

import io.voltis.agent.runtime.process.ChildProcess;

/**
 * {@link CommandRunner} over real child processes, through {@link ChildProcess}: the agent's own
 * variables never reach the package manager (it sees PATH, HOME, LANG, TZ and what the dialect
 * sets), stdin is /dev/null, stderr is merged into stdout, the last {@code maxLines} lines are
 * kept (each cut to {@code maxLineLength} characters), and on timeout the command's process group
 * gets SIGTERM, then SIGKILL 5 s later: a chatty or hung command can neither fill memory nor
 * block the caller past its timeout.
 */
final class ProcessRunner implements CommandRunner {

    /** The output kept of a run, before it is cut into its last lines. */
    private static final int MAX_BYTES = 256 * 1024;
    /** SIGTERM to the command's group on timeout, SIGKILL this long after (dpkg may need to finish a step). */
    private static final Duration KILL_GRACE = Duration.ofSeconds(5);

    private final int maxLines;
    private final int maxLineLength;

    private final Map<String, String> agentEnv;

    ProcessRunner(int maxLines, int maxLineLength) {
        this(maxLines, maxLineLength, System.getenv());
    }

    /** @param agentEnv the agent's own environment, of which a command sees only PATH, HOME, LANG and TZ */
    ProcessRunner(int maxLines, int maxLineLength, Map<String, String> agentEnv) {
        this.maxLines = maxLines;
        this.maxLineLength = maxLineLength;
        this.agentEnv = Map.copyOf(agentEnv);
    }

    @Override
    public Result run(List<String> argv, Map<String, String> env, Duration timeout)
            throws IOException, InterruptedException {
        ChildProcess.Result r = ChildProcess.run(new ChildProcess.Request(argv, null,
                ChildProcess.environment(agentEnv, env), timeout, MAX_BYTES, true, KILL_GRACE));
        Tail tail = new Tail(maxLines, maxLineLength);
        tail.accept(r.stdout());
        return switch (r.ending()) {
            case EXITED -> new Result(r.exitCode(), tail.lines(), false);
            case TIMED_OUT -> new Result(-1, tail.lines(), true);
            case CANNOT_START -> throw new IOException(r.problem());
            case INTERRUPTED -> throw new InterruptedException(r.problem());
        };
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

        void accept(String text) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            accept(bytes, bytes.length);
            if (current.size() > 0) {
                endLine();
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
