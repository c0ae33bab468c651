package io.voltis.agent.reconcile;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.voltis.agent.packages.PackageStatus;
import io.voltis.model.PackageSpec;

/**
 * The packages of a revision: ensured on apply, re-read between applies. Both answer one
 * {@link PackageStatus} per declared package, in the order declared, and never throw for a
 * package's own failure: that is a {@code failed} entry.
 */
public interface PackageStep {

    /**
     * Ensures each package in order, checking before installing; stops at the first failure,
     * after which the remaining packages are {@code pending}.
     */
    List<PackageStatus> ensure(List<PackageSpec> packages, Map<String, String> vars, Instant now);

    /** Read-only: asks the device what is installed, installs and downloads nothing. */
    List<PackageStatus> look(List<PackageSpec> packages, Map<String, String> vars, Instant now);

    /** For a build without package support: every declared package fails. */
    PackageStep NONE = new PackageStep() {
        @Override
        public List<PackageStatus> ensure(List<PackageSpec> packages, Map<String, String> vars, Instant now) {
            return look(packages, vars, now);
        }

        @Override
        public List<PackageStatus> look(List<PackageSpec> packages, Map<String, String> vars, Instant now) {
            return packages.stream().map(p -> PackageStatus.failed(p.name(),
                    p.manager() == null ? "artifact" : p.manager().keyword(), null,
                    "packages are not supported by this agent build", now)).toList();
        }
    };
}
