package io.voltis.agent.plan;

import java.util.List;

/**
 * No plan could be made: the revision is unknown, ambiguous or invalid for this device, or the
 * agent's state cannot be read. The message is one line naming what to fix; {@code problems}
 * holds an invalid revision's {@code file:line:column} problems, one a line (else empty).
 */
public final class PlanException extends Exception {

    private final List<String> problems;

    public PlanException(String message) {
        this(message, List.of(), null);
    }

    public PlanException(String message, Throwable cause) {
        this(message, List.of(), cause);
    }

    PlanException(String message, List<String> problems, Throwable cause) {
        super(message, cause);
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
