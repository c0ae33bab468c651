package io.voltis.model;

import java.util.List;

/**
 * The outcome of validating a repo, or one host's part of it: every problem found, sorted,
 * and how much was read. {@code match} is set when one host was asked for and its file found.
 */
public record ValidationReport(List<Problem> problems, int devices, int workloads, DeviceMatch match) {

    public ValidationReport {
        problems = List.copyOf(problems);
    }

    public boolean valid() {
        return problems.isEmpty();
    }
}
