package io.voltis.model;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Reads and checks one device file on its own; the workload it names is checked by the caller. */
final class DeviceLoader {

    private DeviceLoader() {
    }

    /** The bound device file, or null after adding why it cannot be used to {@code problems}. */
    static Bound<DeviceSpec> load(SourceTree tree, String file, List<Problem> problems) {
        List<Problem> found = new ArrayList<>();
        Bound<DeviceSpec> bound = read(tree, file, found);
        if (bound != null) {
            DeviceSpec spec = bound.value();
            check(found, file, bound, "workload", Names.check(Names.WORKLOAD, spec.workload(), "workload name"));
            if (spec.revision() != null) {
                check(found, file, bound, "revision", Names.check(Names.REVISION, spec.revision(), "commit SHA or tag"));
            }
            spec.vars().keySet().forEach(name -> check(found, file, bound, "vars." + name,
                    Templates.BUILTINS.contains(name) ? "'" + name + "' is set by the agent; pick another name"
                            : Names.check(Names.VARIABLE, name, "variable name (letters, digits, '_', '.', '-')")));
            spec.vars().keySet().stream().filter(n -> n.startsWith(DeviceSpec.SECRET_PREFIX)).forEach(name ->
                    check(found, file, bound, "vars." + name, "'" + name + "' reads as a secret; define it under secrets: as "
                            + name.substring(DeviceSpec.SECRET_PREFIX.length())));
            spec.secrets().keySet().forEach(name -> check(found, file, bound, "secrets." + name,
                    Names.check(Names.VARIABLE, name, "secret name (letters, digits, '_', '.', '-')")));
            spec.labels().keySet().forEach(name -> check(found, file, bound, "labels." + name,
                    Names.check(Names.VARIABLE, name, "label name (letters, digits, '_', '.', '-')")));
        }
        problems.addAll(found);
        return bound;
    }

    private static Bound<DeviceSpec> read(SourceTree tree, String file, List<Problem> problems) {
        try {
            byte[] bytes = RepoFiles.readRegular(tree, file, problems);
            YamlNode root = bytes == null ? null : YamlReader.read(file, bytes, problems);
            return root == null ? null : Binder.bind(DeviceSpec.class, file, root, problems);
        } catch (IOException e) {
            problems.add(new Problem(file, 0, 0, "", "cannot read: " + e.getMessage()));
            return null;
        }
    }

    private static void check(List<Problem> problems, String file, Bound<DeviceSpec> bound, String field, String problem) {
        if (problem != null && !bound.failed(field)) {
            problems.add(Problem.at(file, bound.at(field), field, problem));
        }
    }
}
