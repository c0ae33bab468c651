package io.voltis.model;

import java.util.List;

/**
 * The outcome of validating a repo, or one host's part of it: every problem found, sorted,
 * and how much was read. {@code match} is set when one host was asked for and its file found.
 */
public record ValidationReport(List<Problem> problems, int devices, int workloads, DeviceMatch match,
                               List<RolloutCount> rollouts) {

    public ValidationReport {
        problems = List.copyOf(problems);
        rollouts = rollouts == null ? List.of() : List.copyOf(rollouts);
    }

    /** A report without rollout counts (one host's, or a repo without plans). */
    public ValidationReport(List<Problem> problems, int devices, int workloads, DeviceMatch match) {
        this(problems, devices, workloads, match, List.of());
    }

    public boolean valid() {
        return problems.isEmpty();
    }
}
