package io.voltis.agent.packages.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.voltis.agent.packages.PackageException;
import io.voltis.agent.packages.PackageInstaller;
import io.voltis.agent.packages.PackageRequest;

/**
 * Ensures a system package through apt, dnf or apk. Each {@link #ensure} first asks the
 * package database ({@code dpkg-query -W}, {@code rpm -q}, {@code apk info -e}; the same query
 * prints the installed version, which {@link #look} returns) and runs the
 * non-interactive install ({@code apt-get install -y}, {@code dnf install -y}, {@code apk add})
 * only when the package is missing, so a package already present costs one cheap query. Tools
 * are looked up in a fixed list of directories, never through the agent's PATH; a missing tool, a failed or timed-out install each end in one {@link PackageException}
 * line that names the package, the manager, and what the tool said last.
 */
public final class SystemPackages implements PackageInstaller {

    /** Where the tools are looked for on a device, in this order. */
    public static final List<Path> DEVICE_BIN_DIRS = List.of(Path.of("/usr/local/sbin"), Path.of("/usr/local/bin"),
            Path.of("/usr/sbin"), Path.of("/usr/bin"), Path.of("/sbin"), Path.of("/bin"));

    private static final Logger LOG = LoggerFactory.getLogger(SystemPackages.class);

    private final CommandRunner runner;
    private final List<Path> binDirs;
    private final Duration checkTimeout;
    private final Duration installTimeout;

    /**
     * @param binDirs        where {@code apt-get}, {@code dpkg-query}, {@code dnf}, {@code rpm}
     *                       and {@code apk} are looked for, first match wins
     * @param checkTimeout   how long an "is it installed" query may run
     * @param installTimeout how long one install may run (downloads included) before it is killed
     */
    public SystemPackages(CommandRunner runner, List<Path> binDirs, Duration checkTimeout, Duration installTimeout) {
        this.runner = runner;
        this.binDirs = List.copyOf(binDirs);
        this.checkTimeout = checkTimeout;
        this.installTimeout = installTimeout;
    }

    /** Real processes, the usual bin directories, 1 minute per query and 15 minutes per install. */
    public static SystemPackages onDevice() {
        return new SystemPackages(CommandRunner.processes(), DEVICE_BIN_DIRS, Duration.ofMinutes(1),
                Duration.ofMinutes(15));
    }

    /**
     * @throws IllegalArgumentException when {@code request} is an artifact or names no manager
     */
    @Override
    public Outcome ensure(PackageRequest request) throws PackageException {
        if (request.isArtifact() || request.manager() == null) {
            throw new IllegalArgumentException(request.name() + ": not a system package");
        }
        Dialect dialect = Dialect.of(request.manager());
        String name = request.name();
        Path install = tool(name, dialect, dialect.installTool());
        Path check = tool(name, dialect, dialect.checkTool());

        CommandRunner.Result checked = run(name, dialect, check, dialect.checkArgs(name), Map.of(), checkTimeout);
        if (dialect.installed(checked)) {
            return Outcome.ALREADY_PRESENT;
        }
        LOG.info("Installing {} with {}", name, dialect.installTool());
        CommandRunner.Result installed = run(name, dialect, install, dialect.installArgs(name), dialect.env(),
                installTimeout);
        if (!installed.succeeded()) {
            throw new PackageException(name + ": " + dialect.keyword() + " install failed: " + dialect.installTool()
                    + " exited with code " + installed.exitCode() + ": " + oneLine(installed.lastLine()));
        }
        return Outcome.INSTALLED;
    }

    /**
     * Read-only: whether the package is installed, asked exactly as {@link #ensure} asks before it
     * installs; nothing is installed.
     *
     * @throws PackageException when the query cannot run (no such tool on this device, a timeout)
     */
    public boolean installed(PackageRequest request) throws PackageException {
        return look(request).present();
    }

    /**
     * Read-only: the same one query {@link #ensure} runs first ({@code dpkg-query}, {@code rpm -q},
     * {@code apk info -e}), which also prints the installed version. Only the query tool must be
     * on the device.
     *
     * @throws PackageException when the query cannot run (no such tool on this device, a timeout)
     */
    @Override
    public Found look(PackageRequest request) throws PackageException {
        if (request.isArtifact() || request.manager() == null) {
            throw new IllegalArgumentException(request.name() + ": not a system package");
        }
        Dialect dialect = Dialect.of(request.manager());
        Path check = tool(request.name(), dialect, dialect.checkTool());
        CommandRunner.Result result = run(request.name(), dialect, check, dialect.checkArgs(request.name()), Map.of(),
                checkTimeout);
        boolean present = dialect.installed(result);
        return new Found(present, present ? dialect.version(result, request.name()) : null);
    }

    private Path tool(String name, Dialect dialect, String tool) throws PackageException {
        Optional<Path> found = binDirs.stream()
                .map(dir -> dir.resolve(tool))
                .filter(p -> Files.isRegularFile(p) && Files.isExecutable(p))
                .findFirst();
        if (found.isEmpty()) {
            String where = binDirs.stream().map(Path::toString).collect(Collectors.joining(":"));
            throw new PackageException(name + ": " + tool + " not found in " + where + ": " + dialect.hint());
        }
        return found.get();
    }

    private CommandRunner.Result run(String name, Dialect dialect, Path tool, List<String> args, Map<String, String> env,
                                     Duration timeout) throws PackageException {
        List<String> argv = new ArrayList<>(args.size() + 1);
        argv.add(tool.toString());
        argv.addAll(args);
        CommandRunner.Result result;
        try {
            result = runner.run(argv, env, timeout);
        } catch (IOException e) {
            throw new PackageException(name + ": " + dialect.keyword() + ": cannot run " + tool + ": "
                    + oneLine(String.valueOf(e.getMessage())), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PackageException(name + ": " + dialect.keyword() + ": interrupted while running " + tool, e);
        }
        if (result.timedOut()) {
            throw new PackageException(name + ": " + dialect.keyword() + ": " + tool.getFileName() + " timed out after "
                    + human(timeout) + " and was killed; last output: " + oneLine(result.lastLine()));
        }
        return result;
    }

    private static String human(Duration d) {
        return d.toMillis() < 1000 ? d.toMillis() + "ms" : d.toSeconds() + "s";
    }

    /** Tool output may hold control characters; a message is one plain line. */
    private static String oneLine(String text) {
        return text.replaceAll("\\p{Cntrl}", " ").strip();
    }
}
