package io.voltis.sync.store;

import java.time.Instant;

/**
 * One run of a workload job: which job, for which revision, why it ran ({@code trigger}:
 * per-revision, once or schedule), how it ended, and the tail of its output.
 */
public record JobRun(long id, String job, String revision, String trigger, Instant startedAt, Instant finishedAt,
                     Result result, Integer exitCode, String output) {

    public enum Result { RUNNING, SUCCEEDED, FAILED, TIMED_OUT, INTERRUPTED }
}
