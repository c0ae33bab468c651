package io.voltis.agent.packages.system;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

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
            // NOTE: one "status<TAB>version" per line: a multi-arch name (libc6:amd64 + libc6:i386) prints several.
            return List.of("-W", "--showformat=${Status}\\t${Version}\\n", "--", name);
        }

        @Override
        boolean installed(CommandRunner.Result result) {
            return result.succeeded() && result.output().stream().anyMatch(APT_INSTALLED);
        }

        @Override
        String version(CommandRunner.Result result, String name) {
            return versions(result.output().stream().filter(APT_INSTALLED)
                    .map(line -> line.indexOf('\t') < 0 ? "" : line.substring(line.indexOf('\t') + 1).strip()));
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
            // NOTE: one VERSION-RELEASE per line: an installonly name (kernel) may print several.
            return List.of("-q", "--qf", "%{VERSION}-%{RELEASE}\\n", "--", name);
        }

        @Override
        String version(CommandRunner.Result result, String name) {
            return versions(result.output().stream().map(String::strip));
        }

        @Override
        List<String> installArgs(String name) {
            return List.of("install", "-y", "--", name);
        }
    },

    APK(PackageManager.APK, "apk", "apk", "is this an Alpine device?") {
        @Override
        List<String> checkArgs(String name) {
            // -v: print "name-version" for an installed name instead of the bare name.
            return List.of("info", "-v", "-e", "--", name);
        }

        @Override
        String version(CommandRunner.Result result, String name) {
            return versions(result.output().stream().map(String::strip)
                    .filter(line -> line.startsWith(name + "-"))
                    .map(line -> line.substring(name.length() + 1)));
        }

        @Override
        List<String> installArgs(String name) {
            return List.of("add", "--no-cache", "--", name);
        }
    };

    /** A dpkg-query line "<want> ok installed<TAB>version": also "hold ok installed", "deinstall ok installed" (still on disk). */
    private static final java.util.function.Predicate<String> APT_INSTALLED = line -> {
        String[] words = line.split("\t", 2)[0].strip().split("\\s+");
        return words.length == 3 && words[1].equals("ok") && words[2].equals("installed");
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

    /**
     * The installed version from the output of a check that found the package installed, or
     * null when the output names none; several installed versions are joined with ", ".
     */
    abstract String version(CommandRunner.Result result, String name);

    /** Arguments after {@link #installTool()}. */
    abstract List<String> installArgs(String name);

    /** Added to the agent's environment for the install. */
    Map<String, String> env() {
        return Map.of();
    }

    private static String versions(Stream<String> lines) {
        String joined = lines.filter(v -> !v.isEmpty()).distinct().collect(Collectors.joining(", "));
        return joined.isEmpty() ? null : joined;
    }
}
