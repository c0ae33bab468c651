package io.voltis.agent.plan;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.voltis.agent.packages.PackageException;
import io.voltis.agent.packages.PackageRequest;
import io.voltis.agent.packages.artifact.Artifacts;
import io.voltis.agent.packages.system.SystemPackages;
import io.voltis.agent.plan.Plan.PackageAction;
import io.voltis.agent.plan.Plan.PackageChange;
import io.voltis.agent.reconcile.InstallerStep;
import io.voltis.model.PackageSpec;

/**
 * The packages section of a plan: each package checked the way the packages step checks it
 * before installing — the package database query for a system package, the marker of an
 * artifact's target — and nothing more: no install, no download, no folder created.
 */
final class PackagePlanner {

    private final SystemPackages system;
    private final Artifacts artifacts;
    private final Path root;

    PackagePlanner(SystemPackages system, Artifacts artifacts, Path root) {
        this.system = system;
        this.artifacts = artifacts;
        this.root = root;
    }

    List<PackageChange> plan(List<PackageSpec> packages, Map<String, String> vars) {
        List<PackageChange> out = new ArrayList<>();
        for (PackageSpec p : packages) {
            PackageRequest request = InstallerStep.request(p, vars, root);
            out.add(request.isArtifact() ? artifact(request) : system(request));
        }
        return out;
    }

    private PackageChange system(PackageRequest request) {
        String source = request.manager().keyword();
        try {
            return system.installed(request)
                    ? new PackageChange(request.name(), source, PackageAction.PRESENT, "installed")
                    : new PackageChange(request.name(), source, PackageAction.INSTALL, "not installed");
        } catch (PackageException e) {
            return new PackageChange(request.name(), source, PackageAction.CANNOT_CHECK, e.getMessage());
        }
    }

    private PackageChange artifact(PackageRequest request) {
        String sha = request.sha256().toLowerCase(java.util.Locale.ROOT);
        String what = "sha256 " + sha.substring(0, Math.min(12, sha.length())) + " in " + artifacts.target(request);
        try {
            // NOTE: the URL is not shown: it may carry a token
            return artifacts.present(request)
                    ? new PackageChange(request.name(), "artifact", PackageAction.PRESENT, what)
                    : new PackageChange(request.name(), "artifact", PackageAction.INSTALL, "download, " + what);
        } catch (PackageException e) {
            return new PackageChange(request.name(), "artifact", PackageAction.WOULD_FAIL, e.getMessage());
        }
    }
}
