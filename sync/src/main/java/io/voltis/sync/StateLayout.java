package io.voltis.sync;

import java.nio.file.Path;

/**
 * The agent's state directory, the one place its layout is spelled (docs/operations.md, "The
 * state directory"): every part is a method here, and nothing else names a file under it.
 *
 * @param dir the state directory itself ({@code --state-dir}, {@code /var/lib/voltis} as root)
 */
public record StateLayout(Path dir) {

    /** The bare Git mirror of the followed repo. */
    public Path mirror() {
        return dir.resolve("mirror");
    }

    /** Known hosts and keys the Git layer writes (0700). */
    public Path ssh() {
        return dir.resolve("ssh");
    }

    /** Unpacked workload folders, one per revision. */
    public Path revisions() {
        return dir.resolve("revisions");
    }

    /** What the agent wrote under the root, with each file's hash (drift, removal). */
    public Path filesManifest() {
        return dir.resolve("files.manifest");
    }

    /** Downloaded package artifacts. */
    public Path artifacts() {
        return dir.resolve("artifacts");
    }

    /** Service and job logs of the process runtime. */
    public Path logs() {
        return dir.resolve("logs");
    }

    /** The running API's address, for the CLI. */
    public Path api() {
        return dir.resolve("api");
    }

    /** What the daemon runs with, for the other commands. */
    public Path facts() {
        return dir.resolve("agent.facts");
    }

    /** The step in flight (prepare or apply of a revision), for the crash count. */
    public Path inFlight() {
        return dir.resolve("in-flight");
    }

    /** Job runs' logs and exit files (jobs outlive a killed agent). */
    public Path jobs() {
        return dir.resolve("jobs");
    }

    /** The mark that tells this agent's children from other processes. */
    public Path processMark() {
        return dir.resolve("process-mark");
    }

    /** The revision store (H2) and its secret. */
    public Path db() {
        return dir.resolve("db");
    }
}
