package io.voltis.agent.runtime.systemd;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.voltis.agent.runtime.ServiceStatus.Actual;

/**
 * What {@code systemctl show} says of one unit, read as the agent's status words.
 * <ul>
 *   <li>{@code active} (any sub-state) and {@code reloading} are running; {@code activating} is
 *       backoff in the {@code auto-restart} sub-states (the process exited and systemd waits
 *       RestartSec) and running otherwise (it is being started);</li>
 *   <li>{@code failed} is failed, and with {@code Result=start-limit-hit} the explanation says
 *       that systemd gave up restarting it;
 *       {@code inactive} and {@code deactivating} are stopped, unless
 *       the unit is not even loaded (no file, or a bad setting), which is failed;</li>
 *   <li>the exit code is the last main process's, as a shell would give it (128 + signal when
 *       killed); none while the unit runs or when it never started since boot.</li>
 * </ul>
 */
record UnitState(Map<String, String> properties) {

    // NOTE: the order is irrelevant to systemctl; tests' fixtures list what these names answer.
    static final List<String> PROPERTIES = List.of("LoadState", "ActiveState", "SubState", "UnitFileState", "Result",
            "NRestarts", "Restart", "ExecMainCode", "ExecMainStatus", "ExecMainStartTimestampMonotonic", "StateChangeTimestamp");

    /** systemd's exit statuses that say what went wrong before the command even ran. */
    private static final Map<Integer, String> SYSTEMD_EXITS = Map.of(
            200, "cannot change to the working directory",
            203, "cannot execute the command");

    /**
     * systemd's {@code Result} when it refused a start because the unit started too often
     * (StartLimitBurst within StartLimitIntervalSec): it no longer restarts the unit by itself.
     */
    static final String START_LIMIT_HIT = "start-limit-hit";

    /** A zone abbreviation that is not a zone id, such as {@code CEST}. */
    private static final DateTimeFormatter ZONE_TEXT = DateTimeFormatter.ofPattern("z", Locale.ROOT);

    UnitState {
        properties = Map.copyOf(properties);
    }

    static UnitState parse(String showOutput) {
        Map<String, String> properties = new HashMap<>();
        showOutput.lines().forEach(line -> {
            int eq = line.indexOf('=');
            if (eq > 0) {
                properties.put(line.substring(0, eq), line.substring(eq + 1).strip());
            }
        });
        return new UnitState(properties);
    }

    String get(String property) {
        return properties.getOrDefault(property, "");
    }

    boolean loaded() {
        return get("LoadState").isEmpty() || get("LoadState").equals("loaded");
    }

    Actual actual() {
        String active = get("ActiveState");
        switch (active) {
            case "active":
            case "reloading":
                return Actual.RUNNING;
            case "activating":
                return get("SubState").startsWith("auto-restart") ? Actual.BACKOFF : Actual.RUNNING;
            case "inactive":
            case "deactivating":
                return loaded() ? Actual.STOPPED : Actual.FAILED;
            default:
                return Actual.FAILED;
        }
    }

    int restarts() {
        return (int) number(get("NRestarts"), 0);
    }

    /** The desired state systemd holds when the agent has not applied the service yet: enablement. */
    String enablement() {
        return get("UnitFileState").startsWith("enabled") ? "running" : "stopped";
    }

    Integer lastExitCode() {
        long code = number(get("ExecMainCode"), 0);
        boolean neverStarted = number(get("ExecMainStartTimestampMonotonic"), 0) == 0;
        if (actual() == Actual.RUNNING || neverStarted || code == 0) {
            return null;
        }
        int status = (int) number(get("ExecMainStatus"), 0);
        return code == 1 ? status : 128 + status; // 1 = exited, 2 = killed, 3 = dumped core
    }

    Instant since() {
        return timestamp(get("StateChangeTimestamp"));
    }

    /** Why the unit is not running as desired, in words; null when there is nothing to say. */
    String explanation() {
        if (!loaded()) {
            return "systemd has not loaded the unit (LoadState=" + get("LoadState") + ")";
        }
        Actual actual = actual();
        if (actual != Actual.FAILED && actual != Actual.BACKOFF) {
            return null;
        }
        Integer exit = lastExitCode();
        boolean gaveUp = actual == Actual.FAILED && (get("Result").equals(START_LIMIT_HIT) || wouldRestart());
        String why;
        if (exit == null) {
            why = gaveUp ? null : "failed (" + get("Result") + ")";
        } else if (get("ExecMainCode").equals("1")) {
            why = "exited with status " + exit + (SYSTEMD_EXITS.containsKey(exit) ? " (" + SYSTEMD_EXITS.get(exit) + ")" : "");
        } else {
            why = "killed by signal " + get("ExecMainStatus");
        }
        if (gaveUp) {
            String gaveUpText = "systemd gave up restarting (" + START_LIMIT_HIT + ") after " + restartsText();
            return why == null ? gaveUpText : why + "; " + gaveUpText;
        }
        return actual == Actual.BACKOFF ? why + "; systemd restarts it (" + restartsText() + " so far)" : why;
    }

    /**
     * Whether the unit's {@code Restart=} covers how its main process last ended. A failed unit
     * whose policy would restart it is one systemd gave up on: systemd 252 leaves
     * {@code Result=exit-code} (or {@code signal}) there and only its journal says "Start request
     * repeated too quickly" (seen on a real systemd in packaging/systemd-it).
     */
    private boolean wouldRestart() {
        String policy = get("Restart");
        boolean cleanExit = get("ExecMainCode").equals("1") && get("ExecMainStatus").equals("0");
        return policy.equals("always") || (policy.startsWith("on-") && !cleanExit);
    }

    private String restartsText() {
        int n = restarts();
        return n + (n == 1 ? " restart" : " restarts");
    }

    /**
     * systemd's own timestamp text, {@code Sun 2026-11-22 10:00:00 UTC}; null when empty or not
     * in that shape. The default {@link Systemctl} runs with TZ=UTC, so the zone is UTC there.
     */
    static Instant timestamp(String text) {
        String[] parts = text.strip().split(" +");
        if (parts.length != 4) {
            return null;
        }
        try {
            // parts[0] is the weekday, which the date already says; systemd may add microseconds to the time.
            LocalDateTime local = LocalDateTime.parse(parts[1] + "T" + parts[2]);
            return local.atZone(zone(parts[3])).toInstant();
        } catch (DateTimeException e) {
            return null;
        }
    }

    private static ZoneId zone(String name) {
        if (name.equals("UTC") || name.equals("GMT")) {
            return ZoneId.of("UTC");
        }
        try {
            return ZoneId.of(name, ZoneId.SHORT_IDS);
        } catch (DateTimeException e) {
            return ZoneId.from(ZONE_TEXT.parse(name)); // abbreviations such as CEST
        }
    }

    private static long number(String text, long fallback) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
