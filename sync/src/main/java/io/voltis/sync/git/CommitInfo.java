package io.voltis.sync.git;

import java.time.Instant;

/** Who made a commit, when, and its subject line. */
public record CommitInfo(String sha, String author, Instant committedAt, String message) {
}
