package io.voltis.agent.runtime.systemd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import io.voltis.agent.runtime.ServiceDefinition;
import io.voltis.agent.runtime.ServiceRuntime;
import io.voltis.agent.runtime.ServiceStatus;
import io.voltis.model.RestartPolicy;
import io.voltis.model.ServiceState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each service as a systemd unit, {@code voltis-<workload>-<service>.service} in the unit
 * directory, and leaves supervision to systemd: restarts (the restart policy, a few seconds
 * apart, up to a start limit, see {@link UnitFile}), stopping the whole cgroup, starting enabled
 * services at boot, in {@code dependsOn} order.
 * <p>
 * {@link #apply} writes the unit only when its text changed (the fingerprint is part of it),
 * then: {@code daemon-reload} if any file changed; {@code enable --now} for a new unit;
 * {@code enable}, {@code reset-failed} and {@code restart} for one whose fingerprint changed (a
 * new revision: it gets a fresh start limit); nothing more for one rewritten with the same
 * fingerprint (a new agent writes units differently, or its dependencies changed): systemd takes
 * the new settings on the reload, and the process sees nothing new. For an unchanged unit only
 * {@code is-active}, and a start ({@code reset-failed} if failed, {@code enable --now}) only when
 * this runtime has not started it yet (the agent restarted, the device booted), or when it is
 * {@code inactive} under the policy {@code always}, which only a stop from outside leaves. A
 * unit that is {@code failed} after this runtime started it stays so: systemd gave up on it
 * (start limit) or its policy left it, and starting it on every tick would be the endless loop
 * the start limit ends; its status says why, until a new revision or an agent restart starts it
 * again. A service to be stopped gets {@code disable --now} whenever {@code is-active} does not
 * say inactive (and {@code reset-failed} if it had failed). A failing systemctl call never
 * escapes: the service's status carries its message until an apply succeeds, and a change that
 * was cut short (or a crash) is redone on the next apply, as its {@code .pending} marker says.
 * <p>
 * Status is read back from systemd on every call ({@code systemctl show}, and the journal's
 * last lines when the service is not running as desired); {@code healthy} is always null, as
 * health checks are run by {@link io.voltis.agent.runtime.health.HealthMonitor}, which wraps
 * this runtime. {@link #close} stops
 * nothing: systemd owns the services, so they keep running across agent restarts and upgrades,
 * and a new runtime finds its units again by their marker lines.
 */
public final class SystemdRuntime implements ServiceRuntime {

    public static final Path DEFAULT_UNIT_DIR = Path.of("/etc/systemd/system");
    /** The PATH systemd's system manager gives every service that does not set its own. */
    static final String MANAGER_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private static final Logger log = LoggerFactory.getLogger(SystemdRuntime.class);
    /** What {@code is-active} answers for a unit that has no process. */
    private static final Set<String> NOT_RUNNING = Set.of("inactive", "failed");

    private final UnitDirectory units;
    private final Systemctl systemctl;
    private final StatusReader reader;
    private final Clock clock;
    /** What the last apply or remove of each service left: its unit, desired state and any error. */
    private final Map<String, Applied> applied = new ConcurrentHashMap<>();
    /** Units this runtime started or saw running; after an exit only their restart policy decides. */
    private final Set<String> started = ConcurrentHashMap.newKeySet();
    private final JournalLogs logs;

    public SystemdRuntime(Path unitDir, Systemctl systemctl, Journal journal, Clock clock) {
        this(unitDir, systemctl, journal, Path.of("journalctl"), clock);
    }

    SystemdRuntime(Path unitDir, Systemctl systemctl, Journal journal, Path journalctl, Clock clock) {
        this.logs = new JournalLogs(journalctl, name -> {
            Applied a = applied.get(name);
            return a == null ? null : a.unit();
        });
        this.units = new UnitDirectory(unitDir);
        this.systemctl = systemctl;
        this.reader = new StatusReader(systemctl, journal, clock);
        this.clock = clock;
    }

    /** The host's systemd: units in {@link #DEFAULT_UNIT_DIR}, systemctl and journalctl from PATH. */
    public static SystemdRuntime onThisHost(Clock clock) {
        return new SystemdRuntime(DEFAULT_UNIT_DIR, Systemctl.onPath(), Journal.onPath(), clock);
    }

    private record Applied(String unit, ServiceState desired, String error, Instant failedAt) {
    }

    /** What writing the unit did: NEW and CHANGED (another fingerprint) restart, REWRITTEN only reloads. */
    private enum Change { NEW, CHANGED, REWRITTEN, UNCHANGED }

    /** A step that could not be done; its message is what the service's status says. */
    private static final class StepFailed extends Exception {
        private static final long serialVersionUID = 1L;

        StepFailed(String message) {
            super(message, null, false, false);
        }
    }

    @Override
    public io.voltis.agent.runtime.ServiceLogs logs() {
        return logs;
    }

    /** The unit's {@code Environment=} lines over the PATH systemd gives services; nothing of the agent's. */
    @Override
    public Map<String, String> environment(ServiceDefinition definition) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", MANAGER_PATH);
        env.putAll(definition.env());
        return Map.copyOf(env);
    }

    @Override
    public synchronized void apply(ServiceDefinition definition) {
        String name = definition.name();
        String unit = null;
        try {
            unit = UnitFile.unitName(definition.workload(), name);
            String content = UnitFile.render(definition);
            boolean retired = retireOtherUnits(name, unit);
            Change change = writeIfChanged(unit, content, definition.fingerprint(), definition.secret());
            if (retired || change != Change.UNCHANGED) {
                call("daemon-reload");
            }
            if (definition.state() == ServiceState.RUNNING) {
                ensureRunning(unit, change, definition.restart());
            } else {
                ensureStopped(unit, change);
            }
            units.clearPending(unit);
            succeeded(name, unit, definition.state());
        } catch (IllegalArgumentException e) {
            failed(name, unit, definition.state(), "cannot write a systemd unit for " + name + ": " + e.getMessage());
        } catch (IOException e) {
            String where = units.path(unit == null ? "" : unit).toString();
            failed(name, unit, definition.state(), "cannot update " + where + ": " + describe(e));
        } catch (StepFailed e) {
            failed(name, unit, definition.state(), e.getMessage());
        }
    }

    /** A service that moved to another workload leaves a unit under its old name: stop and delete it. */
    private boolean retireOtherUnits(String name, String unit) throws IOException, StepFailed {
        Applied last = applied.get(name);
        if (last != null && last.error() == null && unit.equals(last.unit())) {
            return false;
        }
        boolean retired = false;
        for (UnitDirectory.Managed other : units.scan()) {
            if (other.service().equals(name) && !other.unit().equals(unit)) {
                call("disable", "--now", other.unit());
                units.delete(other.unit());
                started.remove(other.unit());
                retired = true;
            }
        }
        return retired;
    }

    /**
     * A pending marker left by an earlier write means it is unknown whether the running process
     * has the fingerprint on disk: CHANGED, so it restarts.
     */
    private Change writeIfChanged(String unit, String content, String fingerprint, boolean secret) throws IOException {
        String existing = units.read(unit);
        boolean pending = units.isPending(unit);
        if (content.equals(existing) && !pending) {
            return Change.UNCHANGED;
        }
        units.markPending(unit);
        if (!content.equals(existing)) {
            units.write(unit, content, secret);
        }
        if (existing == null) {
            return Change.NEW;
        }
        boolean sameProcess = !pending && fingerprint != null && fingerprint.equals(UnitFile.fingerprintOf(existing));
        return sameProcess ? Change.REWRITTEN : Change.CHANGED;
    }

    private void ensureRunning(String unit, Change change, RestartPolicy policy) throws StepFailed {
        switch (change) {
            case NEW -> call("enable", "--now", unit);
            case CHANGED -> {
                // enable too: the previous revision may have had the service stopped (disabled);
                // reset-failed: a unit that hit its start limit refuses a start until then.
                call("enable", unit);
                call("reset-failed", unit);
                call("restart", unit);
            }
            case REWRITTEN, UNCHANGED -> {
                String state = activeState(unit);
                boolean firstTime = NOT_RUNNING.contains(state) && !started.contains(unit);
                boolean stoppedFromOutside = state.equals("inactive") && policy == RestartPolicy.ALWAYS;
                if (firstTime || stoppedFromOutside) {
                    if (state.equals("failed")) {
                        call("reset-failed", unit);
                    }
                    call("enable", "--now", unit);
                }
            }
        }
        started.add(unit);
    }

    private void ensureStopped(String unit, Change change) throws StepFailed {
        started.remove(unit);
        if (change == Change.NEW) {
            return; // never enabled, never started
        }
        String state = activeState(unit);
        if (state.equals("inactive")) {
            return;
        }
        call("disable", "--now", unit);
        if (state.equals("failed")) {
            call("reset-failed", unit); // stopped as desired, not failed
        }
    }

    private String activeState(String unit) throws StepFailed {
        Systemctl.Result result = systemctl.run(List.of("is-active", unit));
        String state = result.stdout().strip();
        if (state.isEmpty() || state.contains("\n")) {
            throw new StepFailed(result.failure("systemctl is-active " + unit));
        }
        return state;
    }

    private void call(String... args) throws StepFailed {
        List<String> command = List.of(args);
        Systemctl.Result result = systemctl.run(command);
        if (!result.ok()) {
            throw new StepFailed(result.failure("systemctl " + String.join(" ", command)));
        }
    }

    @Override
    public synchronized void remove(String name) {
        Applied last = applied.get(name);
        String unit = null;
        try {
            List<UnitDirectory.Managed> own = new ArrayList<>();
            for (UnitDirectory.Managed managed : units.scan()) {
                if (managed.service().equals(name)) {
                    own.add(managed);
                }
            }
            for (UnitDirectory.Managed managed : own) {
                unit = managed.unit();
                call("disable", "--now", unit);
                units.delete(unit);
                started.remove(unit);
            }
            if (!own.isEmpty()) {
                call("daemon-reload");
            }
            applied.remove(name);
        } catch (IOException e) {
            String where = units.path(unit == null ? "" : unit).toString();
            failed(name, unit, ServiceState.STOPPED, "cannot remove " + where + ": " + describe(e));
        } catch (StepFailed e) {
            failed(name, unit == null && last != null ? last.unit() : unit, ServiceState.STOPPED, e.getMessage());
        }
    }

    @Override
    public List<String> names() {
        Set<String> names = new TreeSet<>(applied.keySet());
        names.addAll(unitsOnDisk().keySet());
        return List.copyOf(names);
    }

    @Override
    public Optional<ServiceStatus> status(String name) {
        Applied last = applied.get(name);
        if (last != null && last.unit() != null && Files.exists(units.path(last.unit()))) {
            return statusOf(name, last.unit(), last);
        }
        return statusOf(name, unitsOnDisk().get(name), last);
    }

    @Override
    public List<ServiceStatus> statuses() {
        Map<String, String> onDisk = unitsOnDisk();
        Set<String> names = new TreeSet<>(applied.keySet());
        names.addAll(onDisk.keySet());
        List<ServiceStatus> statuses = new ArrayList<>();
        for (String name : names) {
            Applied last = applied.get(name);
            boolean known = last != null && last.unit() != null && onDisk.containsValue(last.unit());
            String unit = known ? last.unit() : onDisk.get(name);
            statusOf(name, unit, last).ifPresent(statuses::add);
        }
        return List.copyOf(statuses);
    }

    /** Stops nothing: systemd owns the services, which keep running while the agent is down. */
    @Override
    public void close() {
    }

    private Optional<ServiceStatus> statusOf(String name, String unit, Applied last) {
        if (unit == null) {
            return last == null || last.error() == null ? Optional.empty()
                    : Optional.of(StatusReader.unwritten(name, last.desired(), last.error(), last.failedAt()));
        }
        return last == null ? Optional.of(reader.read(name, unit, null, null, null))
                : Optional.of(reader.read(name, unit, last.desired(), last.error(), last.failedAt()));
    }

    /** Service name to unit, as found on disk. */
    private Map<String, String> unitsOnDisk() {
        Map<String, String> byService = new LinkedHashMap<>();
        try {
            for (UnitDirectory.Managed managed : units.scan()) {
                byService.putIfAbsent(managed.service(), managed.unit());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list unit files in " + units.path("") + ": " + describe(e), e);
        }
        return byService;
    }

    private void succeeded(String name, String unit, ServiceState desired) {
        Applied previous = applied.put(name, new Applied(unit, desired, null, null));
        if (previous != null && previous.error() != null) {
            log.info("Service {} ({}) is applied again after: {}", name, unit, previous.error());
        }
    }

    private void failed(String name, String unit, ServiceState desired, String message) {
        Applied previous = applied.get(name);
        boolean same = previous != null && message.equals(previous.error());
        Instant since = same ? previous.failedAt() : clock.instant();
        applied.put(name, new Applied(unit, desired, message, since));
        if (!same) {
            log.warn("Service {}: {}", name, message);
        }
    }

    private static String describe(IOException e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }
}
