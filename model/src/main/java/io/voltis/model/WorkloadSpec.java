package io.voltis.model;

import java.util.List;

/** A workload file, {@code workloads/<name>/workload.yaml}. Every section is optional. */
public record WorkloadSpec(
        String apiVersion,
        List<FileSpec> files,
        List<PackageSpec> packages,
        List<ServiceSpec> services,
        List<JobSpec> jobs,
        GateSpec gate,
        RolloutSpec rollout) {

    /** NOTE: the only apiVersion this model reads; the JSON Schema names it too. */
    public static final String API_VERSION = "voltis/v1";

    public WorkloadSpec {
        apiVersion = apiVersion == null ? API_VERSION : apiVersion;
        files = files == null ? List.of() : List.copyOf(files);
        packages = packages == null ? List.of() : List.copyOf(packages);
        services = services == null ? List.of() : List.copyOf(services);
        jobs = jobs == null ? List.of() : List.copyOf(jobs);
        gate = gate == null ? GateSpec.DEFAULT : gate;
    }

    /** A workload file without {@code rollout:} (every device moves as soon as it sees a commit). */
    public WorkloadSpec(String apiVersion, List<FileSpec> files, List<PackageSpec> packages, List<ServiceSpec> services,
                        List<JobSpec> jobs, GateSpec gate) {
        this(apiVersion, files, packages, services, jobs, gate, null);
    }

    /** This workload with {@code rollout} as its plan (the repo-wide {@code rollout.yaml}, for a workload without its own). */
    public WorkloadSpec withRollout(RolloutSpec rollout) {
        return new WorkloadSpec(apiVersion, files, packages, services, jobs, gate, rollout);
    }

    /** This workload without its {@code rollout:}: what a release is made of (docs/rollout.md). */
    public WorkloadSpec withoutRollout() {
        return new WorkloadSpec(apiVersion, files, packages, services, jobs, gate, null);
    }

    /** A workload file without {@code gate:} (the default gate). */
    public WorkloadSpec(String apiVersion, List<FileSpec> files, List<PackageSpec> packages, List<ServiceSpec> services,
                        List<JobSpec> jobs) {
        this(apiVersion, files, packages, services, jobs, null, null);
    }
}
