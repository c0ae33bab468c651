package io.voltis.agent.runtime.systemd;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

import io.voltis.agent.runtime.ServiceDefinition;
import io.voltis.model.RestartPolicy;

/**
 * The unit file of one service: its name ({@code voltis-<workload>-<service>.service}) and its
 * text. The text is a pure function of the definition (environment and dependencies sorted by
 * name), so equal definitions give equal bytes and an unchanged service is never rewritten. The
 * desired state is not in the file: running or stopped is enablement, which systemctl sets.
 * <p>
 * Supervision (docs/decisions/0018-systemd-unit-start-limit.md): systemd restarts the service as
 * its policy says, {@value #RESTART_SEC} apart, and gives up after {@value #START_LIMIT_BURST}
 * starts within {@value #START_LIMIT_INTERVAL_SEC} s, leaving the unit {@code failed} with
 * {@code Result=start-limit-hit}, so a service that cannot stay up does not restart forever.
 * Dependencies of the same workload are {@code After=} and {@code Wants=}: started first, and
 * started with it, but neither stops nor fails with the other.
 */
final class UnitFile {

    static final String PREFIX = "voltis-";
    static final String SUFFIX = ".service";
    // NOTE: UnitDirectory reads these three marker lines back to know which service a file runs, and
    // the package's prerm and postrm find the units to remove by the workload line (grep '^# voltis-workload: ').
    // Unit names hold no space (UNIT_NAME), so those shell scripts may split a list of them on spaces.
    static final String WORKLOAD_MARKER = "# voltis-workload: ";
    static final String SERVICE_MARKER = "# voltis-service: ";
    static final String FINGERPRINT_MARKER = "# voltis-fingerprint: ";

    // NOTE: docs/runtime-systemd.md and decision 0018 give these values and what they mean.
    static final String RESTART_SEC = "5s";
    static final int START_LIMIT_INTERVAL_SEC = 60;
    static final int START_LIMIT_BURST = 5;

    /** systemd's unit-name characters; 255 bytes at most with the suffix. */
    private static final Pattern UNIT_NAME = Pattern.compile("[A-Za-z0-9:_.-]{1,247}");
    private static final Pattern FINGERPRINT = Pattern.compile("[\\x21-\\x7e]{0,200}");

    private UnitFile() {
    }

    static String unitName(String workload, String service) {
        String base = PREFIX + workload + "-" + service;
        if (!UNIT_NAME.matcher(base).matches()) {
            throw new IllegalArgumentException("'" + base + SUFFIX + "' is not a valid systemd unit name");
        }
        return base + SUFFIX;
    }

    /** The fingerprint a unit's text was written with; null when it has no marker line. */
    static String fingerprintOf(String text) {
        for (String line : text.split("\n", -1)) {
            if (line.startsWith("[")) {
                break;
            } else if (line.startsWith(FINGERPRINT_MARKER)) {
                return line.substring(FINGERPRINT_MARKER.length());
            }
        }
        return null;
    }

    static String render(ServiceDefinition d) {
        unitName(d.workload(), d.name());
        String fingerprint = d.fingerprint() == null ? "" : d.fingerprint();
        if (!FINGERPRINT.matcher(fingerprint).matches()) {
            throw new IllegalArgumentException("fingerprint '" + fingerprint + "' is not printable text without spaces");
        }
        if (d.command().isEmpty()) {
            throw new IllegalArgumentException("the command is empty");
        }
        Path workingDir = d.workingDir().toAbsolutePath().normalize();
        StringBuilder u = new StringBuilder(512);
        u.append("# Written by voltis-agent, which rewrites it whenever the service's definition changes.\n");
        u.append(WORKLOAD_MARKER).append(d.workload()).append('\n');
        u.append(SERVICE_MARKER).append(d.name()).append('\n');
        u.append(FINGERPRINT_MARKER).append(fingerprint).append('\n');
        u.append('\n');
        u.append("[Unit]\n");
        String description = "Voltis " + d.workload() + "/" + d.name();
        u.append("Description=").append(SystemdSyntax.verbatim(description, "description")).append('\n');
        Set<String> dependencies = new TreeSet<>();
        for (String dependency : d.dependsOn()) {
            dependencies.add(unitName(d.workload(), dependency));
        }
        if (!dependencies.isEmpty()) {
            u.append("After=").append(String.join(" ", dependencies)).append('\n');
            u.append("Wants=").append(String.join(" ", dependencies)).append('\n');
        }
        u.append("# More than ").append(START_LIMIT_BURST).append(" starts in ").append(START_LIMIT_INTERVAL_SEC)
                .append(" s: systemd gives up and the unit stays failed until the agent starts it again.\n");
        u.append("StartLimitIntervalSec=").append(START_LIMIT_INTERVAL_SEC).append('\n');
        u.append("StartLimitBurst=").append(START_LIMIT_BURST).append('\n');
        u.append('\n');
        u.append("[Service]\n");
        u.append("Type=simple\n");
        u.append("WorkingDirectory=").append(SystemdSyntax.verbatim(workingDir.toString(), "working directory")).append('\n');
        u.append("ExecStart=").append(execStart(d, workingDir)).append('\n');
        for (Map.Entry<String, String> e : new TreeMap<>(d.env()).entrySet()) {
            u.append("Environment=").append(SystemdSyntax.environmentAssignment(e.getKey(), e.getValue())).append('\n');
        }
        u.append("Restart=").append(restart(d.restart())).append('\n');
        u.append("RestartSec=").append(RESTART_SEC).append('\n');
        u.append("KillMode=control-group\n");
        u.append("TimeoutStopSec=10\n");
        u.append('\n');
        u.append("[Install]\n");
        u.append("WantedBy=multi-user.target\n");
        return u.toString();
    }

    /**
     * The command, with its executable resolved as the process runtime resolves it: a path with
     * a slash is relative to the working directory, a bare name is looked up by systemd in its
     * own search path (systemd 239 and later; older systemd needs an absolute path).
     */
    private static String execStart(ServiceDefinition d, Path workingDir) {
        String executable = d.command().get(0);
        if (executable.contains("/") && !executable.startsWith("/")) {
            executable = workingDir.resolve(executable).normalize().toString();
        }
        if (executable.contains("$")) {
            // systemd never expands the executable's path but does expand argv[0]: no spelling keeps both right.
            throw new IllegalArgumentException(
                    "executable '" + executable + "' contains '$', which systemd cannot run as written");
        }
        StringBuilder line = new StringBuilder(SystemdSyntax.execWord(executable));
        for (String arg : d.command().subList(1, d.command().size())) {
            line.append(' ').append(SystemdSyntax.execWord(arg));
        }
        return line.toString();
    }

    private static String restart(RestartPolicy policy) {
        return switch (policy) {
            case ALWAYS -> "always";
            case ON_FAILURE -> "on-failure";
            case NEVER -> "no";
        };
    }
}
