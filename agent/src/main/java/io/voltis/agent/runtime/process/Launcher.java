package io.voltis.agent.runtime.process;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.voltis.agent.runtime.ServiceDefinition;

/**
 * Creates a service's process: {@code setsid} makes it the leader of a new session and process
 * group, so the whole tree it forks can be signalled at once. The environment is exactly the
 * definition's {@code env} over a small base taken from the agent's own environment
 * ({@link ChildProcess#environment}: nothing of the agent's own variables); stdin is {@code /dev/null}, stdout and stderr one pipe.
 *
 * <p>The executable is looked up the way {@code execvp} will, before the process is created,
 * so that a missing command is a one-line reason instead of a crash loop of {@code setsid}
 * errors: a name with a slash relative to the working directory, a bare name on the PATH the
 * service will see.
 */
final class Launcher {

    /** glibc's {@code execvp} search path when PATH is unset. */
    private static final String DEFAULT_PATH = "/bin:/usr/bin";

    private final Path setsid;
    private final Path shell;
    private final Map<String, String> base;

    private Launcher(Path setsid, Path shell, Map<String, String> base) {
        this.setsid = setsid;
        this.shell = shell;
        this.base = base;
    }

    /**
     * A launcher for an agent whose environment is {@code agentEnv}.
     *
     * @throws IllegalStateException when {@code setsid} (util-linux) or {@code /bin/sh} is missing
     */
    static Launcher find(Map<String, String> agentEnv) {
        Path setsid = ChildProcess.setsid(agentEnv).orElseThrow(() -> new IllegalStateException("the process runtime"
                + " needs setsid (util-linux) to give each service its own process group, and it is not in "
                + agentEnv.getOrDefault("PATH", "") + " nor in the system's folders"));
        Path shell = Path.of("/bin/sh");
        if (!Files.isExecutable(shell)) {
            throw new IllegalStateException("the process runtime needs /bin/sh to signal process groups");
        }
        Map<String, String> base = ChildProcess.environment(agentEnv, Map.of());
        return new Launcher(setsid, shell, Map.copyOf(base));
    }

    Path shell() {
        return shell;
    }

    /**
     * What the service's process sees: the inherited base, overridden and extended by the
     * definition, and the service's mark ({@link ProcessMarks#SERVICE_VAR}), which the
     * definition cannot override.
     */
    Map<String, String> environment(ServiceDefinition definition, ProcessMarks marks) {
        Map<String, String> env = new LinkedHashMap<>(base);
        env.putAll(definition.env());
        env.put(ProcessMarks.SERVICE_VAR, marks.service(definition.name()));
        return Map.copyOf(env);
    }

    /** Starts the process, or says in one line why it cannot be started. */
    Process start(ServiceDefinition definition, Map<String, String> env) throws CannotStart {
        Path dir = definition.workingDir();
        if (!Files.isDirectory(dir)) {
            throw new CannotStart("working directory " + dir + ": No such directory");
        }
        if (definition.command().isEmpty()) {
            throw new CannotStart("the command is empty");
        }
        checkExecutable(definition.command().get(0), dir, env.getOrDefault("PATH", DEFAULT_PATH));
        List<String> argv = new ArrayList<>(definition.command().size() + 1);
        argv.add(setsid.toString());
        argv.addAll(definition.command());
        ProcessBuilder builder = new ProcessBuilder(argv)
                .directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().putAll(env);
        try {
            return builder.start();
        } catch (IOException e) {
            throw new CannotStart(definition.command().get(0) + ": " + e.getMessage());
        }
    }

    static void checkExecutable(String command, Path dir, String path) throws CannotStart {
        if (command.contains("/")) {
            String problem = problem(dir.resolve(command));
            if (problem != null) {
                throw new CannotStart(command + ": " + problem);
            }
            return;
        }
        for (String entry : path.split(":", -1)) {
            Path candidate = (entry.isEmpty() ? dir : dir.resolve(entry)).resolve(command);
            if (problem(candidate) == null) {
                return;
            }
        }
        throw new CannotStart(command + ": not found in PATH " + path);
    }

    /** Null when {@code file} can be executed, else the reason as {@code strerror} would put it. */
    private static String problem(Path file) {
        if (!Files.exists(file)) {
            return "No such file or directory";
        }
        if (Files.isDirectory(file)) {
            return "Is a directory";
        }
        if (!Files.isExecutable(file)) {
            return "Permission denied";
        }
        return null;
    }
}
