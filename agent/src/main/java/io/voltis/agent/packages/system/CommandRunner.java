package io.voltis.agent.packages.system;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Runs one command to completion: the seam between {@link SystemPackages} and the operating
 * system. Implementations never use a shell, never give the command a terminal or a readable
 * standard input, and keep only a bounded tail of its combined stdout and stderr.
 */
public interface CommandRunner {

    /**
     * Runs {@code argv} (argv[0] an absolute path) with the agent's environment plus {@code env},
     * and waits at most {@code timeout}; a command still running then is killed with its
     * descendants and reported with {@link Result#timedOut()}.
     *
     * @throws IOException when the command cannot be started at all
     */
    Result run(List<String> argv, Map<String, String> env, Duration timeout) throws IOException, InterruptedException;

    /** The default: real child processes, keeping the last 50 lines of output. */
    static CommandRunner processes() {
        return new ProcessRunner(50, 500);
    }

    /**
     * How a command ended. {@code output} is the tail of its combined stdout and stderr, at most
     * the runner's line limit, each line cut to a bounded length. {@code exitCode} is -1 when
     * {@code timedOut}.
     */
    record Result(int exitCode, List<String> output, boolean timedOut) {

        public Result {
            output = List.copyOf(output);
        }

        public boolean succeeded() {
            return !timedOut && exitCode == 0;
        }

        /** The last line with something on it, or "(no output)". */
        public String lastLine() {
            for (int i = output.size() - 1; i >= 0; i--) {
                String line = output.get(i).strip();
                if (!line.isEmpty()) {
                    return line;
                }
            }
            return "(no output)";
        }
    }
}
