package io.voltis.sync.store;

import java.time.Instant;

/**
 * One attempt to apply a revision. {@code finishedAt} and {@code error} are null while it runs.
 * An apply still RUNNING when the store is opened by a new daemon was cut short by a crash and
 * is marked {@link Result#INTERRUPTED}.
 */
public record ApplyRecord(long id, String sha, Instant startedAt, Instant finishedAt, Result result, String error) {

    public enum Result { RUNNING, SUCCEEDED, FAILED, INTERRUPTED }
}
