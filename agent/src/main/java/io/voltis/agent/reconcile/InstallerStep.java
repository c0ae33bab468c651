package io.voltis.agent.reconcile;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.voltis.agent.packages.PackageException;
import io.voltis.agent.packages.PackageInstaller;
import io.voltis.agent.packages.PackageInstaller.Found;
import io.voltis.agent.packages.PackageRequest;
import io.voltis.agent.packages.PackageStatus;
import io.voltis.agent.packages.artifact.Artifacts;
import io.voltis.model.PackageSpec;
import io.voltis.model.PathGuard;
import io.voltis.model.Templates;

/**
 * The packages step: system packages to one installer, artifacts to the other, in the order
 * declared. On apply each package is ensured (checked, installed only when missing), then looked
 * at once more for the version it has; between applies it is only looked at.
 */
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
    public List<PackageStatus> ensure(List<PackageSpec> packages, Map<String, String> vars, Instant now) {
        List<PackageStatus> seen = new ArrayList<>();
        String stoppedAt = null;
        for (PackageSpec p : packages) {
            PackageRequest request = request(p, vars, root);
            if (stoppedAt != null) {
                seen.add(PackageStatus.pending(p.name(), manager(request), "not checked: the apply stopped at " + stoppedAt));
                continue;
            }
            PackageStatus status = ensureOne(request, now);
            seen.add(status);
            if (status.state() == PackageStatus.State.FAILED) {
                stoppedAt = p.name();
            }
        }
        return seen;
    }

    @Override
    public List<PackageStatus> look(List<PackageSpec> packages, Map<String, String> vars, Instant now) {
        List<PackageStatus> seen = new ArrayList<>();
        for (PackageSpec p : packages) {
            PackageRequest request = request(p, vars, root);
            try {
                Found found = installer(request).look(request);
                seen.add(found.present() ? installed(request, found, now)
                        : PackageStatus.missing(p.name(), manager(request), found.version(),
                        (request.isArtifact() && found.version() != null ? "sha256 " + shortSha(request)
                                + " is not installed" : "not installed") + "; the next apply installs it", now));
            } catch (PackageException e) {
                seen.add(PackageStatus.failed(p.name(), manager(request), null, withoutName(p.name(), e), now));
            }
        }
        return seen;
    }

    private PackageStatus ensureOne(PackageRequest request, Instant now) {
        PackageInstaller installer = installer(request);
        try {
            installer.ensure(request);
        } catch (PackageException e) {
            return PackageStatus.failed(request.name(), manager(request), versionOrNull(installer, request),
                    withoutName(request.name(), e), now);
        }
        try {
            Found found = installer.look(request);
            // NOTE: a virtual apt name or a dnf "provides" is installed but never found (docs/packages.md).
            return found.present() ? installed(request, found, now)
                    : PackageStatus.missing(request.name(), manager(request), found.version(),
                    "installed, but the check does not find this name: is it a virtual name?", now);
        } catch (PackageException e) {
            return PackageStatus.failed(request.name(), manager(request), null, withoutName(request.name(), e), now);
        }
    }

    /** What is installed now, for a failure's status; null when even that cannot be read. */
    private static String versionOrNull(PackageInstaller installer, PackageRequest request) {
        try {
            return installer.look(request).version();
        } catch (PackageException e) {
            return null;
        }
    }

    private PackageStatus installed(PackageRequest request, Found found, Instant now) {
        String where = request.isArtifact() && artifacts instanceof Artifacts a
                ? Artifacts.fileName(request) + " in " + a.target(request) : null;
        return PackageStatus.installed(request.name(), manager(request), found.version(), where, now);
    }

    private PackageInstaller installer(PackageRequest request) {
        return request.isArtifact() ? artifacts : system;
    }

    /** {@code p} as the installers take it: {@code ${var}} filled in its URL, {@code extractTo} under {@code root}. */
    public static PackageRequest request(PackageSpec p, Map<String, String> vars, Path root) {
        Path base = root.toAbsolutePath().normalize();
        return new PackageRequest(p.name(), p.manager(), p.url() == null ? null : Templates.render(p.url(), vars),
                p.sha256(), p.extractTo() == null ? null : base.resolve(PathGuard.normalizeTarget(p.extractTo())).normalize());
    }

    /** NOTE: {@code artifact} or the manager's keyword: the status API's {@code manager} values. */
    static String manager(PackageRequest request) {
        return request.isArtifact() ? "artifact" : request.manager().keyword();
    }

    private static String shortSha(PackageRequest request) {
        String sha = request.sha256().toLowerCase(Locale.ROOT);
        return sha.substring(0, Math.min(12, sha.length()));
    }

    /** Installer messages start with the package's name; the status names it in a field of its own. */
    private static String withoutName(String name, PackageException e) {
        String message = String.valueOf(e.getMessage());
        return message.startsWith(name + ": ") ? message.substring(name.length() + 2) : message;
    }
}
