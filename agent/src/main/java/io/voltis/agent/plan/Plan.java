package io.voltis.agent.plan;

import java.util.List;

/**
 * What applying one revision would change on this device, computed without touching it. In
 * every entry what the device has now ({@code observed}: the applied revision, the file on disk,
 * the service as the applied revision declares it) is kept apart from what the revision declares
 * ({@code desired}); either is null where there is none. {@code changes} is false only when
 * nothing would differ: no file, no package to install or that could not be checked, no service
 * to start, stop or restart, no job to run.
 *
 * <p>NOTE: component names and enum words are the JSON of {@code voltis-agent plan -o json}
 * (docs/cli.md); scripts may rely on them.
 */
public record Plan(String hostname, AppliedRevision applied, TargetRevision target, List<FileChange> files,
                   List<PackageChange> packages, List<ServiceChange> services, List<JobChange> jobs,
                   List<String> notes, boolean changes) {

    public Plan {
        files = List.copyOf(files);
        packages = List.copyOf(packages);
        services = List.copyOf(services);
        jobs = List.copyOf(jobs);
        notes = List.copyOf(notes);
    }

    /** A plan whose {@code changes} is worked out from its entries. */
    public Plan(String hostname, AppliedRevision applied, TargetRevision target, List<FileChange> files,
                List<PackageChange> packages, List<ServiceChange> services, List<JobChange> jobs, List<String> notes) {
        this(hostname, applied, target, files, packages, services, jobs, notes,
                !files.isEmpty() || packages.stream().anyMatch(p -> p.action().isChange())
                        || services.stream().anyMatch(s -> s.action().isChange())
                        || jobs.stream().anyMatch(j -> j.action().isChange()));
    }

    /** Observed: the revision the device runs (its last successful apply); {@code workload} null when it cannot be read. */
    public record AppliedRevision(String sha, String workload) {
    }

    /** Desired: the revision planned, why it was chosen, and its workload (null: no device file for this host). */
    public record TargetRevision(String sha, Reason reason, String why, String workload) {
    }

    /** Why the target revision was chosen: the order the agent decides in, after an explicit REV. */
    public enum Reason {
        ASKED("asked"), PIN("pin"), DEVICE_FILE("device-file"), HEAD("head");

        private final String word;

        Reason(String word) {
            this.word = word;
        }

        @Override
        public String toString() {
            return word;
        }
    }

    /**
     * One file that differs. {@code diff} is a unified diff (disk to desired) when both sides are
     * UTF-8 text and not too large; {@code binary} when either side is not UTF-8. {@code drift}:
     * the disk no longer holds what the applied revision placed (edited by hand). {@code note}
     * says anything else a person must know (a symlink in the way, a file that cannot be read).
     */
    public record FileChange(String target, FileKind kind, FileState observed, FileState desired, boolean drift,
                             boolean binary, String diff, String note) {
    }

    /** A file's facts: mode (octal), owner, size in bytes and SHA-256 of the content. */
    public record FileState(String mode, String owner, long size, String sha256) {
    }

    /** What happens to a file. */
    public enum FileKind {
        ADDED("added", "+"), CHANGED("changed", "~"), REMOVED("removed", "-"),
        /** The file on disk could not be read, so whether it differs is not known. */
        UNKNOWN("unknown", "?");

        private final String word;
        private final String symbol;

        FileKind(String word, String symbol) {
            this.word = word;
            this.symbol = symbol;
        }

        /** One character for a listing, as in a diff stat. */
        public String symbol() {
            return symbol;
        }

        @Override
        public String toString() {
            return word;
        }
    }

    /**
     * One package of the revision and what the apply would find: {@code source} is the manager
     * ({@code apt}, {@code dnf}, {@code apk}) or {@code artifact}; {@code detail} says what the
     * check found or why it could not run.
     */
    public record PackageChange(String name, String source, PackageAction action, String detail) {
    }

    public enum PackageAction {
        INSTALL("install", true), PRESENT("present", false),
        /** The check itself cannot run here (no package tool, a timeout). */
        CANNOT_CHECK("cannot-check", true),
        /** The apply would refuse it before downloading (a target holding files Voltis did not put there). */
        WOULD_FAIL("would-fail", true);

        private final String word;
        private final boolean change;

        PackageAction(String word, boolean change) {
            this.word = word;
            this.change = change;
        }

        /** Whether this entry keeps the plan from saying "no changes". */
        public boolean isChange() {
            return change;
        }

        @Override
        public String toString() {
            return word;
        }
    }

    /** One service: what the applied revision declares ({@code observed}) and the target does ({@code desired}). */
    public record ServiceChange(String name, ServiceAction action, String why, Definition observed, Definition desired) {
    }

    /** A service definition as far as a plan shows it; {@code fingerprint} is what decides a restart. */
    public record Definition(String state, String restart, List<String> command, String fingerprint) {
        public Definition {
            command = List.copyOf(command);
        }
    }

    public enum ServiceAction {
        START("start", true), STOP("stop", true), RESTART("restart", true), UNCHANGED("unchanged", false);

        private final String word;
        private final boolean change;

        ServiceAction(String word, boolean change) {
            this.word = word;
            this.change = change;
        }

        public boolean isChange() {
            return change;
        }

        @Override
        public String toString() {
            return word;
        }
    }

    /** One job of the target revision: {@code when} is per-revision, once or schedule. */
    public record JobChange(String name, String when, String schedule, JobAction action, String why) {
    }

    public enum JobAction {
        RUN("run", true), SKIP("skip", false),
        /** Scheduled on its cron expression when the revision is applied; it does not run at the apply. */
        SCHEDULED("scheduled", false);

        private final String word;
        private final boolean change;

        JobAction(String word, boolean change) {
            this.word = word;
            this.change = change;
        }

        public boolean isChange() {
            return change;
        }

        @Override
        public String toString() {
            return word;
        }
    }
}
