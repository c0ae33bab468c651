package io.voltis.agent.packages.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import io.voltis.agent.packages.PackageException;
import io.voltis.agent.packages.PackageInstaller;
import io.voltis.agent.packages.PackageInstaller.Outcome;
import io.voltis.agent.packages.PackageRequest;
import io.voltis.model.PackageManager;

/**
 * {@link SystemPackages} running real child processes. The package managers themselves are
 * FAKES ({@link FakeManagers}: shell scripts named dpkg-query, apt-get, rpm, dnf, apk in a temp
 * bin directory) because real ones cannot run in CI: they need root, a package database and the
 * network, and would change the build machine. Only {@link #realDpkgQuery_installedPackage_isAlreadyPresent}
 * asks the real dpkg-query (read-only) where the build machine has one.
 */
class SystemPackagesTest {

    @TempDir
    Path dir;

    private SystemPackages packagesWith(FakeManagers fakes) {
        return new SystemPackages(CommandRunner.processes(), List.of(fakes.bin), Duration.ofSeconds(30),
                Duration.ofSeconds(30));
    }

    private static PackageRequest request(String name, PackageManager manager) {
        return new PackageRequest(name, manager, null, null, null);
    }

    @ParameterizedTest
    @CsvSource({
            "APT, dpkg-query -W --showformat=${Status}\\t${Version}\\n -- mosquitto",
            "DNF, rpm -q --qf %{VERSION}-%{RELEASE}\\n -- mosquitto",
            "APK, apk info -v -e -- mosquitto"})
    void ensure_alreadyInstalled_runsOnlyTheCheck(PackageManager manager, String check) throws Exception {
        FakeManagers fakes = FakeManagers.in(dir, manager);
        fakes.markInstalled("mosquitto");

        Outcome outcome = packagesWith(fakes).ensure(request("mosquitto", manager));

        assertThat(outcome).isEqualTo(Outcome.ALREADY_PRESENT);
        assertThat(fakes.calls()).containsExactly(check);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "APT | apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=120"
                    + " -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold -- mosquitto",
            "DNF | dnf install -y -- mosquitto",
            "APK | apk add --no-cache -- mosquitto"})
    void ensure_missing_installsOnceThenIsAlreadyPresent(PackageManager manager, String install) throws Exception {
        FakeManagers fakes = FakeManagers.in(dir, manager);
        SystemPackages packages = packagesWith(fakes);

        Outcome first = packages.ensure(request("mosquitto", manager));
        Outcome second = packages.ensure(request("mosquitto", manager));

        assertThat(first).isEqualTo(Outcome.INSTALLED);
        assertThat(second).isEqualTo(Outcome.ALREADY_PRESENT);
        assertThat(fakes.isInstalled("mosquitto")).isTrue();
        assertThat(fakes.calls()).hasSize(3).filteredOn(c -> c.equals(install)).hasSize(1);
        assertThat(fakes.calls().get(1)).isEqualTo(install);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "APT | mosquitto: apt install failed: apt-get exited with code 100: E: Unable to locate package mosquitto",
            "DNF | mosquitto: dnf install failed: dnf exited with code 1: Error: Unable to find a match: mosquitto",
            "APK | mosquitto: apk install failed: apk exited with code 1: mosquitto (no such package):"})
    void ensure_installFails_throwsOneLineWithPackageManagerExitCodeAndLastOutput(PackageManager manager,
                                                                                  String message) throws Exception {
        FakeManagers fakes = FakeManagers.in(dir, manager);
        fakes.failInstalls();

        assertThatThrownBy(() -> packagesWith(fakes).ensure(request("mosquitto", manager)))
                .isInstanceOf(PackageException.class)
                .hasMessage(message)
                .hasMessageNotContaining("\n");
        assertThat(fakes.isInstalled("mosquitto")).isFalse();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "APT | apt-get not found in %s: is this a Debian device?",
            "DNF | dnf not found in %s: is this a Fedora or RHEL device?",
            "APK | apk not found in %s: is this an Alpine device?"})
    void ensure_managerNotOnDevice_saysWhichToolAndAsksAboutTheSystem(PackageManager manager, String message)
            throws Exception {
        Path emptyBin = Files.createDirectories(dir.resolve("empty-bin"));
        SystemPackages packages = new SystemPackages(CommandRunner.processes(), List.of(emptyBin),
                Duration.ofSeconds(30), Duration.ofSeconds(30));

        assertThatThrownBy(() -> packages.ensure(request("mosquitto", manager)))
                .isInstanceOf(PackageException.class)
                .hasMessage("mosquitto: " + message.formatted(emptyBin));
    }

    @ParameterizedTest
    @EnumSource(PackageManager.class)
    void look_installed_readsTheVersionFromTheOneCheckQuery(PackageManager manager) throws Exception {
        FakeManagers fakes = FakeManagers.in(dir, manager);
        fakes.markInstalled("mosquitto", "2.0.18-1");

        PackageInstaller.Found found = packagesWith(fakes).look(request("mosquitto", manager));

        assertThat(found).isEqualTo(new PackageInstaller.Found(true, "2.0.18-1"));
        assertThat(fakes.calls()).hasSize(1).first().asString().startsWith(manager == PackageManager.APT ? "dpkg-query"
                : manager == PackageManager.DNF ? "rpm" : "apk info");
    }

    @ParameterizedTest
    @EnumSource(PackageManager.class)
    void look_missing_isNotPresentWithNoVersion_andInstallsNothing(PackageManager manager) throws Exception {
        FakeManagers fakes = FakeManagers.in(dir, manager);

        PackageInstaller.Found found = packagesWith(fakes).look(request("mosquitto", manager));

        assertThat(found).isEqualTo(new PackageInstaller.Found(false, null));
        assertThat(fakes.calls()).hasSize(1);
        assertThat(fakes.isInstalled("mosquitto")).isFalse();
    }

    @Test
    void look_aptConfigFilesOnly_isNotPresent() throws Exception {
        FakeManagers fakes = FakeManagers.in(dir, PackageManager.APT);
        fakes.markConfigFilesOnly("mosquitto");

        assertThat(packagesWith(fakes).look(request("mosquitto", PackageManager.APT)))
                .isEqualTo(new PackageInstaller.Found(false, null));
    }

    @Test
    void ensure_aptPackageRemovedButConfigKept_isInstalledAgain() throws Exception {
        FakeManagers fakes = FakeManagers.in(dir, PackageManager.APT);
        fakes.markConfigFilesOnly("mosquitto");

        Outcome outcome = packagesWith(fakes).ensure(request("mosquitto", PackageManager.APT));

        assertThat(outcome).isEqualTo(Outcome.INSTALLED);
        assertThat(fakes.calls()).hasSize(2).last().asString().startsWith("apt-get install");
    }

    @Test
    void ensure_installHangs_isKilledAtTheTimeoutWithAClearMessage() throws Exception {
        FakeManagers fakes = FakeManagers.in(dir, PackageManager.DNF);
        Files.writeString(fakes.bin.resolve("dnf"), "#!/bin/sh\necho 'Downloading Packages:'\nsleep 60\n");
        SystemPackages packages = new SystemPackages(CommandRunner.processes(), List.of(fakes.bin),
                Duration.ofSeconds(30), Duration.ofMillis(300));

        assertThatThrownBy(() -> packages.ensure(request("mosquitto", PackageManager.DNF)))
                .isInstanceOf(PackageException.class)
                .hasMessageStartingWith("mosquitto: dnf: dnf timed out after 300ms and was killed; last output: ")
                .hasMessageNotContaining("\n");
    }

    @Test
    void ensure_artifactRequest_isAProgrammingError() {
        SystemPackages packages = SystemPackages.onDevice();
        PackageRequest artifact = new PackageRequest("gw", null, "https://example.com/gw.tgz", "0".repeat(64), null);

        assertThatThrownBy(() -> packages.ensure(artifact)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void realDpkgQuery_installedPackage_isAlreadyPresent() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/dpkg-query")) && Files.isExecutable(Path.of("/usr/bin/apt-get")),
                "not a Debian build machine");

        // dpkg is installed wherever dpkg-query is; only the read-only query runs.
        Outcome outcome = SystemPackages.onDevice().ensure(request("dpkg", PackageManager.APT));

        assertThat(outcome).isEqualTo(Outcome.ALREADY_PRESENT);
    }

    @Test
    void realDpkgQuery_look_givesTheVersionDpkgItselfReports() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/dpkg-query")), "not a Debian build machine");
        Process dpkg = new ProcessBuilder("/usr/bin/dpkg-query", "-W", "-f", "${Version}", "dpkg").start();
        String expected = new String(dpkg.getInputStream().readAllBytes()).strip();
        assertThat(dpkg.waitFor()).isZero();

        // read-only: dpkg is installed wherever dpkg-query is
        PackageInstaller.Found found = SystemPackages.onDevice().look(request("dpkg", PackageManager.APT));

        assertThat(found).isEqualTo(new PackageInstaller.Found(true, expected));
        assertThat(expected).isNotEmpty();
    }
}
