package io.voltis.agent.reconcile;

import java.util.List;
import java.util.Map;

import io.voltis.agent.packages.PackageException;
import io.voltis.model.PackageSpec;

/** Ensures a revision's packages, in order, checking before installing; stops at the first failure. */
public interface PackageStep {

    /** Returns the names of the packages it installed (empty when all were present). */
    List<String> ensure(List<PackageSpec> packages, Map<String, String> vars) throws PackageException;

    PackageStep NONE = (packages, vars) -> {
        if (!packages.isEmpty()) {
            throw new PackageException("packages are not supported by this agent build");
        }
        return List.of();
    };
}
