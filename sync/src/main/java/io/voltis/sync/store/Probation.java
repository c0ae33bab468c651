package io.voltis.sync.store;

import java.time.Instant;

/**
 * The revision whose health gate runs: since when, how many agent runs saw it (1, plus one per
 * restart inside the window), and whether a rollback restored it.
 */
public record Probation(String sha, Instant startedAt, int attempts, boolean rollback) {
}
