package io.voltis.agent.packages;

import java.nio.file.Path;

import io.voltis.model.PackageManager;

/**
 * One package to ensure, with {@code ${var}} filled: a system package ({@code manager} set)
 * or an artifact ({@code url} and {@code sha256} set; {@code extractTo} an absolute path under
 * the agent's root, or null to keep the downloaded file as it is under the state directory).
 */
public record PackageRequest(String name, PackageManager manager, String url, String sha256, Path extractTo) {

    public boolean isArtifact() {
        return url != null;
    }
}
