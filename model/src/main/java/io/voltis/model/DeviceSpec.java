package io.voltis.model;

import java.util.Map;

/**
 * A device file, {@code devices/<hostname>.yaml}: which workload the device runs, an optional
 * pinned revision, labels, and the values its workload's {@code ${var}} references take.
 *
 * @param workload a folder under {@code workloads/}
 * @param revision a commit SHA (full or unique short) or a tag to pin to; null follows the branch
 * @param secrets  names of age-encrypted files in the workload folder, used as {@code ${secret.NAME}}
 */
public record DeviceSpec(
        @Required String workload,
        String revision,
        Map<String, String> labels,
        Map<String, String> vars,
        Map<String, String> secrets) {

    /** The prefix of a secret's name in a {@code ${...}} reference: {@code ${secret.db_password}}. */
    public static final String SECRET_PREFIX = "secret.";

    public DeviceSpec {
        labels = labels == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(labels));
        vars = vars == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(vars));
        secrets = secrets == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(secrets));
    }

    public DeviceSpec(String workload, String revision, Map<String, String> labels, Map<String, String> vars) {
        this(workload, revision, labels, vars, null);
    }
}
