package io.voltis.agent.reconcile;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.voltis.agent.packages.PackageException;
import io.voltis.agent.packages.PackageInstaller;
import io.voltis.agent.packages.PackageRequest;
import io.voltis.model.PackageSpec;
import io.voltis.model.PathGuard;
import io.voltis.model.Templates;

/** The packages step: system packages to one installer, artifacts to the other, in the order declared. */
public final class InstallerStep implements PackageStep {

    private final PackageInstaller system;
    private final PackageInstaller artifacts;
    private final Path root;

    public InstallerStep(PackageInstaller system, PackageInstaller artifacts, Path root) {
        this.system = system;
        this.artifacts = artifacts;
        this.root = root.toAbsolutePath().normalize();
    }

    @Override
    public List<String> ensure(List<PackageSpec> packages, Map<String, String> vars) throws PackageException {
        List<String> installed = new ArrayList<>();
        for (PackageSpec p : packages) {
            PackageRequest request = request(p, vars, root);
            PackageInstaller installer = request.isArtifact() ? artifacts : system;
            if (installer.ensure(request) == PackageInstaller.Outcome.INSTALLED) {
                installed.add(p.name());
            }
        }
        return installed;
    }

    /** {@code p} as the installers take it: {@code ${var}} filled in its URL, {@code extractTo} under {@code root}. */
    public static PackageRequest request(PackageSpec p, Map<String, String> vars, Path root) {
        Path base = root.toAbsolutePath().normalize();
        return new PackageRequest(p.name(), p.manager(), p.url() == null ? null : Templates.render(p.url(), vars),
                p.sha256(), p.extractTo() == null ? null : base.resolve(PathGuard.normalizeTarget(p.extractTo())).normalize());
    }
}
