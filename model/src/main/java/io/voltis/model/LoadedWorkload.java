package io.voltis.model;

import java.util.List;

/**
 * A workload read from a tree and checked on its own: the spec (null when the file could not
 * be used at all), every {@code ${var}} it references, and its problems. References are checked
 * against a device's vars separately, since they depend on the device. {@code rolloutFile} is
 * where its rollout plan is read from: its own workload file, or the repo-wide
 * {@code rollout.yaml} when it has none of its own (docs/rollout.md).
 */
public record LoadedWorkload(String name, String folder, WorkloadSpec spec, List<VarRef> references,
                             List<Problem> problems, String rolloutFile) {

    /** A workload whose plan, if any, is in its own file. */
    public LoadedWorkload(String name, String folder, WorkloadSpec spec, List<VarRef> references, List<Problem> problems) {
        this(name, folder, spec, references, problems, folder + "/" + WorkloadLoader.FILE_NAME);
    }

    public LoadedWorkload {
        references = List.copyOf(references);
        problems = List.copyOf(problems);
    }

    public boolean valid() {
        return spec != null && problems.isEmpty();
    }

    /** Problems of the references that the device's vars and secrets (plus the built-ins) leave undefined. */
    public List<Problem> undefinedReferences(String deviceFile, DeviceSpec device) {
        return references.stream()
                .filter(r -> !defined(r.name(), device))
                .map(r -> r.undefinedIn(deviceFile))
                .toList();
    }

    private static boolean defined(String name, DeviceSpec device) {
        if (name.startsWith(DeviceSpec.SECRET_PREFIX)) {
            return device.secrets().containsKey(name.substring(DeviceSpec.SECRET_PREFIX.length()));
        }
        return device.vars().containsKey(name) || Templates.BUILTINS.contains(name);
    }
}
