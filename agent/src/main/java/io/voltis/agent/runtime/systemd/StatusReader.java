package io.voltis.agent.runtime.systemd;

import java.time.Clock;
import java.time.Instant;
import java.util.List;

import io.voltis.agent.runtime.ServiceStatus;
import io.voltis.agent.runtime.ServiceStatus.Actual;
import io.voltis.model.ServiceState;

/**
 * Builds one service's status from systemd: {@code systemctl show} for the state, the journal's
 * last lines only when the service is not running as desired (journalctl is the costly call),
 * and the runtime's own last error, which wins as the message because it says what the agent
 * could not do.
 */
final class StatusReader {

    private static final int LOG_LINES = 10;

    private final Systemctl systemctl;
    private final Journal journal;
    private final Clock clock;

    StatusReader(Systemctl systemctl, Journal journal, Clock clock) {
        this.systemctl = systemctl;
        this.journal = journal;
        this.clock = clock;
    }

    /** A service whose unit could not even be written: failed, with the reason. */
    static ServiceStatus unwritten(String name, ServiceState desired, String error, Instant failedAt) {
        return new ServiceStatus(name, desired.keyword(), Actual.FAILED, null, 0, failedAt, null, List.of(), error);
    }

    /**
     * {@code desired} is null when the agent has not applied the service since it started: the
     * unit's enablement says it then. {@code error} and {@code failedAt} are null when the last
     * apply went through.
     */
    ServiceStatus read(String name, String unit, ServiceState desired, String error, Instant failedAt) {
        List<String> show = List.of("show", unit, "--property=" + String.join(",", UnitState.PROPERTIES));
        Systemctl.Result shown = systemctl.run(show);
        if (!shown.ok()) {
            String message = error != null ? error : shown.failure("systemctl show " + unit);
            Instant since = failedAt != null ? failedAt : clock.instant();
            return new ServiceStatus(name, desired == null ? null : desired.keyword(), Actual.FAILED, null, 0, since, null,
                    List.of(), message);
        }
        UnitState state = UnitState.parse(shown.stdout());
        String wanted = desired == null ? state.enablement() : desired.keyword();
        boolean wantedRunning = wanted.equals(ServiceState.RUNNING.keyword());
        Actual actual = state.actual();
        boolean unexpected = actual == Actual.FAILED || actual == Actual.BACKOFF || (actual == Actual.STOPPED && wantedRunning);
        String message = error != null ? error : state.explanation();
        if (message == null && actual == Actual.STOPPED && wantedRunning) {
            Integer exit = state.lastExitCode();
            message = exit == null ? "not running" : "exited with status " + exit + "; its restart policy leaves it stopped";
        }
        List<String> logs = unexpected ? journal.tail(unit, LOG_LINES) : List.of();
        return new ServiceStatus(name, wanted, actual, null, state.restarts(), state.since(), state.lastExitCode(), logs, message);
    }
}
