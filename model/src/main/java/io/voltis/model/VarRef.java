package io.voltis.model;

/**
 * A {@code ${name}} reference in a workload, where it was written: a templated file (field
 * empty) or a field of workload.yaml such as {@code services[0].command[2]}.
 */
public record VarRef(String name, String file, int line, int column, String field) {

    /** The problem of this reference when {@code device} does not define it. */
    Problem undefinedIn(String deviceFile) {
        return new Problem(file, line, column, field, "${" + name + "} is not defined in " + deviceFile
                + (name.startsWith(DeviceSpec.SECRET_PREFIX) ? " secrets" : " vars"));
    }
}
