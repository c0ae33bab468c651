package io.voltis.model;

/**
 * A file copied from the workload tree to the device.
 *
 * @param source   path inside the workload folder
 * @param target   path under the agent's root ({@code --root}); a leading '/' is also under the root
 * @param mode     permission bits, default 0644, or 0600 for a decrypted file
 * @param template whether {@code ${var}} references in the content are filled from the device's vars
 * @param decrypt  {@code age}: the source is age-encrypted and the device writes its plaintext
 */
public record FileSpec(
        @Required String source,
        @Required String target,
        FileMode mode,
        boolean template,
        Decrypt decrypt) {

    /** The mode a decrypted file gets when none is declared. */
    public static final FileMode SECRET_DEFAULT = new FileMode(0600);

    public FileSpec {
        mode = mode != null ? mode : decrypt != null ? SECRET_DEFAULT : FileMode.DEFAULT;
    }

    public FileSpec(String source, String target, FileMode mode, boolean template) {
        this(source, target, mode, template, null);
    }

    public boolean decrypted() {
        return decrypt != null;
    }
}
