package io.voltis.model;

import java.util.List;

/**
 * A workload read from a tree and checked on its own: the spec (null when the file could not
 * be used at all), every {@code ${var}} it references, and its problems. References are checked
 * against a device's vars separately, since they depend on the device.
 */
public record LoadedWorkload(String name, String folder, WorkloadSpec spec, List<VarRef> references,
                             List<Problem> problems) {

    public LoadedWorkload {
        references = List.copyOf(references);
        problems = List.copyOf(problems);
    }

    public boolean valid() {
        return spec != null && problems.isEmpty();
    }

    /** Problems of the references that {@code vars} (plus the built-ins) leave undefined. */
    public List<Problem> undefinedReferences(String deviceFile, java.util.Map<String, String> vars) {
        return references.stream()
                .filter(r -> !vars.containsKey(r.name()) && !Templates.BUILTINS.contains(r.name()))
                .map(r -> r.undefinedIn(deviceFile))
                .toList();
    }
}
