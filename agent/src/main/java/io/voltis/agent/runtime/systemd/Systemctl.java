package io.voltis.agent.runtime.systemd;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Runs {@code systemctl} with some arguments and returns what it said. The seam between the
 * systemd runtime and the host: the default implementation starts the real binary as a child
 * process, bounded in time and output, and never throws; a binary that cannot be started or a
 * call that runs past its time limit comes back as a {@link Result} that is not {@code ok()}.
 */
@FunctionalInterface
public interface Systemctl {

    /** How long one call may take: {@code restart} waits for a stop of up to TimeoutStopSec=10 and SIGKILL. */
    Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    Result run(List<String> args);

    /** {@code systemctl} as found on the agent's PATH. */
    static Systemctl onPath() {
        return at(Path.of("systemctl"));
    }

    static Systemctl at(Path binary) {
        return at(binary, DEFAULT_TIMEOUT);
    }

    /**
     * The binary at {@code binary}, run with {@code TZ=UTC} so that the timestamps it prints
     * read the same on every device (NOTE: {@link UnitState} parses them).
     */
    static Systemctl at(Path binary, Duration timeout) {
        BoundedProcess process = new BoundedProcess(binary.toString(), timeout, Map.of("TZ", "UTC", "SYSTEMD_COLORS", "0"));
        return process::run;
    }

    /**
     * What one call returned. {@code exitCode} is the process's own, or {@link #CANNOT_RUN} when
     * it could not be started, or {@link #TIMED_OUT} when it was killed for running too long; in
     * those two cases {@code stderr} says why.
     */
    record Result(int exitCode, String stdout, String stderr) {

        public static final int CANNOT_RUN = 127;
        public static final int TIMED_OUT = -1;

        public Result {
            stdout = stdout == null ? "" : stdout;
            stderr = stderr == null ? "" : stderr;
        }

        public boolean ok() {
            return exitCode == 0;
        }

        /** One line for a status message: {@code <command> failed (exit 1): <first line of stderr>}. */
        public String failure(String command) {
            String reason = stderr.lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse("no output");
            if (reason.length() > 300) {
                reason = reason.substring(0, 300) + "…";
            }
            String code = exitCode == TIMED_OUT ? "" : " (exit " + exitCode + ")";
            return command + " failed" + code + ": " + reason;
        }
    }
}
