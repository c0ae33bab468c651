package io.voltis.agent.runtime.health;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.voltis.agent.runtime.process.ChildProcess;

/**
 * A command that exits 0 within the timeout. It runs in the service's working directory with
 * the service's environment; a command still running at the timeout is killed with everything
 * it started. A bare command name is looked up on the agent's PATH (the JDK's rule), a name
 * with a slash relative to the working directory. Its output is discarded; a failure says the
 * exit code, the timeout, or why the command could not be run.
 */
final class ExecProbe implements HealthProbe {

    private final List<String> command;
    private final Path workingDir;
    private final Map<String, String> env;
    private final Duration timeout;

    ExecProbe(List<String> command, Path workingDir, Map<String, String> env, Duration timeout) {
        this.command = List.copyOf(command);
        this.workingDir = workingDir;
        this.env = Map.copyOf(env);
        this.timeout = timeout;
    }

    @Override
    public Result check() {
        ChildProcess.Result r = ChildProcess.run(new ChildProcess.Request(command, workingDir, env, timeout, 4096, true,
                Duration.ZERO));
        return switch (r.ending()) {
            case EXITED -> r.exitCode() == 0 ? Result.healthy() : Result.failed("exited with code " + r.exitCode());
            case TIMED_OUT -> Result.failed(Reasons.timedOut(timeout) + ", killed");
            case CANNOT_START -> Result.failed("cannot run: " + r.problem().substring("cannot run ".length()));
            case INTERRUPTED -> Result.failed("interrupted");
        };
    }

    @Override
    public String target() {
        return "exec " + command;
    }
}
