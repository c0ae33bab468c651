package io.voltis.cli;

import java.util.ArrayList;
import java.util.List;

import io.voltis.agent.reconcile.AgentStatus;
import io.voltis.agent.reconcile.Phase;
import io.voltis.agent.runtime.ServiceStatus;
import io.voltis.sync.store.SourceState;

/**
 * What {@code run --once} prints and exits with, from the status it ended on: one line a cron
 * user can act on, and an exit code per kind of trouble (decision 0019):
 * <ul>
 *   <li>0: {@code Synced} (or {@code NoWorkload}) with a reachable source;</li>
 *   <li>1: the desired revision failed: invalid, or its apply failed ({@code Failed});</li>
 *   <li>3: the source failed (unreachable, authentication, host key, branch), whatever the
 *       device runs: it converged to the last revision it knew, at best;</li>
 *   <li>4: not converged in time: services not running or not healthy, named with why.</li>
 * </ul>
 * 2 stays bad usage. When several apply, the first in the order 1, 3, 4 wins.
 */
record OnceOutcome(int exitCode, String line) {

    static final int SOURCE_FAILED = 3;
    static final int NOT_CONVERGED = 4;

    static OnceOutcome of(AgentStatus status) {
        StringBuilder line = new StringBuilder(status.phase().word()).append(": applied ")
                .append(shortSha(status.appliedRevision())).append(", desired ").append(shortSha(status.desiredRevision()));
        SourceState source = status.source();
        boolean sourceFailed = source != null && !source.reachable() && source.reason() != null;
        if (sourceFailed) {
            line.append("; source failing: ").append(source.reason())
                    .append(source.error() == null ? "" : ": " + source.error());
        }
        List<String> down = notRunning(status);
        if (!down.isEmpty()) {
            line.append("; not running as desired: ").append(String.join("; ", down));
        }
        if (status.lastError() != null && !(sourceFailed && status.lastError().equals(source.error()))) {
            line.append(" (").append(status.lastError()).append(')');
        }
        int code;
        if (status.phase() == Phase.FAILED) {
            code = Main.FAILED;
        } else if (sourceFailed) {
            code = SOURCE_FAILED;
        } else if (status.phase() == Phase.SYNCED || status.phase() == Phase.NO_WORKLOAD) {
            code = Main.OK;
        } else {
            code = NOT_CONVERGED;
        }
        return new OnceOutcome(code, line.toString());
    }

    /** Services that make the phase Degraded, each as {@code name (why)}. */
    static List<String> notRunning(AgentStatus status) {
        List<String> out = new ArrayList<>();
        for (ServiceStatus s : status.services()) {
            if (s.degraded()) {
                String why = s.message() != null ? s.message()
                        : s.actual().word() + (s.lastExitCode() == null ? "" : ", exit " + s.lastExitCode());
                out.add(s.name() + " (" + why + (s.restarts() > 0 ? ", " + s.restarts() + " restarts" : "") + ")");
            }
        }
        return out;
    }

    /**
     * What waiting will not mend: a degraded service that has already been restarted or failed
     * for good (a crash loop), or a failing source that gave nothing to apply.
     */
    static boolean hopeless(AgentStatus status) {
        SourceState source = status.source();
        if (source != null && !source.reachable() && source.reason() != null && status.desiredRevision() == null) {
            return true;
        }
        for (ServiceStatus s : status.services()) {
            if (s.degraded() && (s.restarts() >= 1 || s.actual() == ServiceStatus.Actual.FAILED)) {
                return true;
            }
        }
        return false;
    }

    private static String shortSha(String sha) {
        return sha == null ? "none" : sha.substring(0, Math.min(12, sha.length()));
    }
}
