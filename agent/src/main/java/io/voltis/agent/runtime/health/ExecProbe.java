package io.voltis.agent.runtime.health;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

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
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workingDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().clear();
        builder.environment().putAll(env);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            return Result.failed("cannot run: " + Reasons.of(e, timeout));
        }
        try {
            if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                int code = process.exitValue();
                return code == 0 ? Result.healthy() : Result.failed("exited with code " + code);
            }
            kill(process);
            return Result.failed(Reasons.timedOut(timeout) + ", killed");
        } catch (InterruptedException e) {
            kill(process);
            Thread.currentThread().interrupt();
            return Result.failed("interrupted");
        }
    }

    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    @Override
    public String target() {
        return "exec " + command;
    }
}
