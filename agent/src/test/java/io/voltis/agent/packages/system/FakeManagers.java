package io.voltis.agent.packages.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import io.voltis.model.PackageManager;

/**
 * Fake {@code dpkg-query}/{@code apt-get}, {@code rpm}/{@code dnf} and {@code apk} as small
 * shell scripts in a temporary bin directory: real package managers cannot run in CI (they
 * need root, a package database and the network, and would change the build machine). The
 * scripts keep their "database" as files under {@code state/installed/} (each holding the
 * installed version), append every call to {@code calls.log} as "tool arg...", and answer in
 * each manager's own words and exit codes. Public: whole-agent tests in other packages use them
 * for the same reason.
 */
public final class FakeManagers {

    /** The version a fake install puts in place. */
    public static final String INSTALLED_VERSION = "1.0-1";

    public final Path bin;
    final Path state;

    private FakeManagers(Path bin, Path state) {
        this.bin = bin;
        this.state = state;
    }

    /** Writes the fakes for {@code manager} into {@code dir/bin}. */
    public static FakeManagers in(Path dir, PackageManager manager) throws IOException {
        FakeManagers fakes = new FakeManagers(Files.createDirectories(dir.resolve("bin")),
                Files.createDirectories(dir.resolve("state")));
        Files.createDirectories(fakes.state.resolve("installed"));
        switch (manager) {
            case APT -> {
                fakes.script("dpkg-query", """
                        if [ -e "$STATE/installed/$last" ]; then printf 'install ok installed\t%s\n' "$(cat "$STATE/installed/$last")"; exit 0; fi
                        if [ -e "$STATE/config-files/$last" ]; then printf 'deinstall ok config-files\t0.9-1\n'; exit 0; fi
                        echo "dpkg-query: no packages found matching $last" >&2; exit 1
                        """);
                fakes.script("apt-get", """
                        [ "$DEBIAN_FRONTEND" = noninteractive ] || { echo 'E: would ask a question'; exit 99; }
                        echo 'Reading package lists...'
                        if [ -e "$STATE/fail" ]; then echo "E: Unable to locate package $last" >&2; exit 100; fi
                        echo 1.0-1 > "$STATE/installed/$last"; echo "Setting up $last (1.0-1) ..."
                        """);
            }
            case DNF -> {
                fakes.script("rpm", """
                        if [ -e "$STATE/installed/$last" ]; then cat "$STATE/installed/$last"; exit 0; fi
                        echo "package $last is not installed"; exit 1
                        """);
                fakes.script("dnf", """
                        echo 'Last metadata expiration check: 0:01:02 ago.'
                        if [ -e "$STATE/fail" ]; then echo "Error: Unable to find a match: $last" >&2; exit 1; fi
                        echo 1.0-1 > "$STATE/installed/$last"; echo 'Complete!'
                        """);
            }
            case APK -> fakes.script("apk", """
                    if [ "$1" = info ]; then [ -e "$STATE/installed/$last" ] || exit 1
                    [ "$2" = -v ] && echo "$last-$(cat "$STATE/installed/$last")" || echo "$last"; exit 0; fi
                    echo 'fetch https://dl-cdn.alpinelinux.org/alpine/v3.20/main/x86_64/APKINDEX.tar.gz'
                    if [ -e "$STATE/fail" ]; then echo "ERROR: unable to select packages:" >&2; \
                    echo "  $last (no such package):" >&2; exit 1; fi
                    echo 1.0-1 > "$STATE/installed/$last"; echo 'OK: 9 MiB in 20 packages'
                    """);
            default -> throw new IllegalArgumentException(manager.toString());
        }
        return fakes;
    }

    private void script(String tool, String body) throws IOException {
        Path file = bin.resolve(tool);
        Files.writeString(file, "#!/bin/sh\n"
                + "STATE='" + state + "'\n"
                + "printf '%s\\n' \"" + tool + " $*\" >> \"$STATE/calls.log\"\n"
                + "for last; do :; done\n"
                + body);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    public void markInstalled(String name) throws IOException {
        markInstalled(name, "2.0.11-1");
    }

    public void markInstalled(String name, String version) throws IOException {
        Files.writeString(state.resolve("installed").resolve(name), version + "\n");
    }

    /** As if removed by hand: the package database no longer lists it. */
    public void remove(String name) throws IOException {
        Files.deleteIfExists(state.resolve("installed").resolve(name));
    }

    void markConfigFilesOnly(String name) throws IOException {
        Files.createDirectories(state.resolve("config-files"));
        Files.createFile(state.resolve("config-files").resolve(name));
    }

    public void failInstalls() throws IOException {
        Files.createFile(state.resolve("fail"));
    }

    public boolean isInstalled(String name) {
        return Files.exists(state.resolve("installed").resolve(name));
    }

    public List<String> calls() throws IOException {
        Path log = state.resolve("calls.log");
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }
}
