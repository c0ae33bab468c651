package io.voltis.model;

/**
 * A file copied from the workload tree to the device.
 *
 * @param source   path inside the workload folder
 * @param target   path under the agent's root ({@code --root}); a leading '/' is also under the root
 * @param mode     permission bits, default 0644
 * @param template whether {@code ${var}} references in the content are filled from the device's vars
 */
public record FileSpec(
        @Required String source,
        @Required String target,
        FileMode mode,
        boolean template) {

    public FileSpec {
        mode = mode == null ? FileMode.DEFAULT : mode;
    }
}
