package io.voltis.agent.runtime.systemd;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.voltis.agent.runtime.process.ChildProcess;

/**
 * Runs {@code systemctl} or {@code journalctl} to completion through {@link ChildProcess} (the
 * agent's own variables never reach it; a time limit; a cap on what it may print; stdin empty,
 * so nothing can wait for a password prompt; on timeout its process group is killed), and turns
 * every way that can go wrong into a {@link Systemctl.Result}.
 */
final class BoundedProcess {

    /** Far above anything systemctl show or a 10-line journal tail prints. */
    static final int MAX_OUTPUT = 256 * 1024;

    private final String program;
    private final Duration timeout;
    private final Map<String, String> environment;

    private final Map<String, String> agentEnv;

    BoundedProcess(String program, Duration timeout, Map<String, String> environment) {
        this(program, timeout, environment, System.getenv());
    }

    /** @param agentEnv the agent's own environment, of which the program sees only PATH, HOME, LANG and TZ */
    BoundedProcess(String program, Duration timeout, Map<String, String> environment, Map<String, String> agentEnv) {
        this.program = program;
        this.timeout = timeout;
        this.environment = Map.copyOf(environment);
        this.agentEnv = Map.copyOf(agentEnv);
    }

    Systemctl.Result run(List<String> args) {
        List<String> command = new ArrayList<>(args.size() + 1);
        command.add(program);
        command.addAll(args);
        ChildProcess.Result r = ChildProcess.run(new ChildProcess.Request(command, null,
                ChildProcess.environment(agentEnv, environment), timeout, MAX_OUTPUT, false, Duration.ZERO));
        return switch (r.ending()) {
            case EXITED -> new Systemctl.Result(r.exitCode(), r.stdout(), r.stderr());
            case CANNOT_START -> new Systemctl.Result(Systemctl.Result.CANNOT_RUN, "", r.problem());
            case TIMED_OUT -> new Systemctl.Result(Systemctl.Result.TIMED_OUT, r.stdout(), "timed out after " + timeout.toSeconds() + "s");
            case INTERRUPTED -> new Systemctl.Result(Systemctl.Result.TIMED_OUT, r.stdout(), "interrupted");
        };
    }
}
