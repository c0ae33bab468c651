package io.voltis.model;

/**
 * A package ensured installed: either by name from a system package manager, or an artifact
 * downloaded from {@code url}, verified against {@code sha256} and extracted to {@code extractTo}.
 */
public record PackageSpec(
        @Required String name,
        PackageManager manager,
        String url,
        String sha256,
        String extractTo) {

    /** Whether this is an artifact downloaded from a URL rather than a system package. */
    public boolean isArtifact() {
        return url != null;
    }
}
