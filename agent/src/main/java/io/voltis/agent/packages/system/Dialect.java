package io.voltis.agent.packages.system;

import java.util.List;
import java.util.Map;

import io.voltis.model.PackageManager;

/**
 * How one package manager is asked whether a package is installed and told to install it.
 * Every argv ends with {@code -- NAME}, so a name can never be read as an option (the model
 * already refuses names starting with '-'; this is the second lock).
 */
enum Dialect {

    APT(PackageManager.APT, "apt-get", "dpkg-query", "is this a Debian device?") {
        @Override
        List<String> checkArgs(String name) {
            // NOTE: one status per line: a multi-arch name (libc6:amd64 + libc6:i386) prints several.
            return List.of("-W", "--showformat=${Status}\\n", "--", name);
        }

        @Override
        boolean installed(CommandRunner.Result result) {
            // "<want> ok installed": also "hold ok installed" and "deinstall ok installed" (still on disk).
            return result.succeeded() && result.output().stream()
                    .map(line -> line.strip().split("\\s+"))
                    .anyMatch(words -> words.length == 3 && words[1].equals("ok") && words[2].equals("installed"));
        }

        @Override
        List<String> installArgs(String name) {
            return List.of("install", "-y", "-q", "--no-install-recommends",
                    // Wait for unattended-upgrades instead of failing on the dpkg lock at once.
                    "-o", "DPkg::Lock::Timeout=120",
                    // Keep a locally changed config file instead of stopping at dpkg's question.
                    "-o", "Dpkg::Options::=--force-confdef", "-o", "Dpkg::Options::=--force-confold",
                    "--", name);
        }

        @Override
        Map<String, String> env() {
            return Map.of("DEBIAN_FRONTEND", "noninteractive");
        }
    },

    DNF(PackageManager.DNF, "dnf", "rpm", "is this a Fedora or RHEL device?") {
        @Override
        List<String> checkArgs(String name) {
            return List.of("-q", "--", name);
        }

        @Override
        List<String> installArgs(String name) {
            return List.of("install", "-y", "--", name);
        }
    },

    APK(PackageManager.APK, "apk", "apk", "is this an Alpine device?") {
        @Override
        List<String> checkArgs(String name) {
            return List.of("info", "-e", "--", name);
        }

        @Override
        List<String> installArgs(String name) {
            return List.of("add", "--no-cache", "--", name);
        }
    };

    private final PackageManager manager;
    private final String installTool;
    private final String checkTool;
    private final String hint;

    Dialect(PackageManager manager, String installTool, String checkTool, String hint) {
        this.manager = manager;
        this.installTool = installTool;
        this.checkTool = checkTool;
        this.hint = hint;
    }

    static Dialect of(PackageManager manager) {
        for (Dialect d : values()) {
            if (d.manager == manager) {
                return d;
            }
        }
        throw new IllegalArgumentException("no dialect for " + manager);
    }

    String keyword() {
        return manager.keyword();
    }

    String installTool() {
        return installTool;
    }

    String checkTool() {
        return checkTool;
    }

    /** The question that ends a "tool not found" message. */
    String hint() {
        return hint;
    }

    /** Arguments after {@link #checkTool()}. */
    abstract List<String> checkArgs(String name);

    /** Whether the check's result means "installed"; by default its exit code 0. */
    boolean installed(CommandRunner.Result result) {
        return result.succeeded();
    }

    /** Arguments after {@link #installTool()}. */
    abstract List<String> installArgs(String name);

    /** Added to the agent's environment for the install. */
    Map<String, String> env() {
        return Map.of();
    }
}
