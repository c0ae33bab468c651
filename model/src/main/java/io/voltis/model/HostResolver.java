package io.voltis.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Resolves one host in a repo tree: its device file ({@link DeviceResolver}), then only the
 * workload that file names. Reads nothing else, so the cost follows the workload, not the repo.
 */
public final class HostResolver {

    private final WorkloadLoader workloads;

    public HostResolver(CronCheck cron) {
        this(cron, SizeLimits.DEFAULTS);
    }

    public HostResolver(CronCheck cron, SizeLimits limits) {
        this.workloads = new WorkloadLoader(cron, limits);
    }

    public HostResolution resolve(SourceTree tree, String hostname) {
        try {
            Optional<DeviceMatch> match = DeviceResolver.match(tree, hostname);
            if (match.isEmpty()) {
                return new HostResolution(hostname, null, null, null, List.of());
            }
            List<Problem> problems = new ArrayList<>();
            Bound<DeviceSpec> device = DeviceLoader.load(tree, match.get().file(), problems);
            LoadedWorkload workload = null;
            if (device != null && problems.isEmpty()) {
                String name = device.value().workload();
                String folder = WorkloadLoader.FOLDER + "/" + name;
                if (tree.stat(folder).map(e -> e.kind() == SourceTree.Kind.DIRECTORY).orElse(false)) {
                    workload = workloads.load(tree, name);
                    problems.addAll(workload.problems());
                    problems.addAll(workload.undefinedReferences(match.get().file(), device.value()));
                    problems.addAll(SecretChecks.device(tree, match.get().file(), device, workload));
                } else {
                    problems.add(Problem.at(match.get().file(), device.at("workload"), "workload",
                            "'" + name + "' is not a folder under workloads/"));
                }
            }
            return new HostResolution(hostname, match.get(), device == null ? null : device.value(), workload,
                    new ArrayList<>(new TreeSet<>(problems)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + tree, e);
        }
    }
}
