package io.voltis.sync.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs the real {@code git} CLI as a child process, isolated from the machine's configuration:
 * no system config ({@code GIT_CONFIG_NOSYSTEM=1}), {@code HOME} set to a folder of the test's,
 * never prompting.
 */
final class GitCli {

    /** What the child printed (stdout and stderr merged) and its exit code. */
    record Result(int exitCode, String output) {
    }

    private final Path home;

    GitCli(Path home) {
        this.home = home;
    }

    Result run(Path workDir, Map<String, String> extraEnv, String... args) {
        List<String> command = new ArrayList<>();
        command.add("git");
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("HOME", home.toString());
        env.put("XDG_CONFIG_HOME", home.toString());
        env.put("GIT_TERMINAL_PROMPT", "0");
        env.remove("GIT_SSH");
        env.remove("GIT_SSH_COMMAND");
        env.putAll(extraEnv);
        try {
            Process process = pb.start();
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return new Result(process.waitFor(), output);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + command, e);
        }
    }

    Result run(Path workDir, String... args) {
        return run(workDir, Map.of(), args);
    }
}
