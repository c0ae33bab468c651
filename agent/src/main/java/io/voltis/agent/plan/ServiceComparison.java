package io.voltis.agent.plan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

import io.voltis.agent.plan.Plan.Definition;
import io.voltis.agent.plan.Plan.ServiceAction;
import io.voltis.agent.plan.Plan.ServiceChange;
import io.voltis.agent.runtime.ServiceDefinition;
import io.voltis.model.ServiceState;

/**
 * The services section of a plan: the applied revision's definitions against the target's, as
 * the apply acts on them — services no longer declared are stopped, new ones started, and a
 * running one restarted exactly when its fingerprint changed (with every new revision:
 * docs/decisions/0009). Desired services come in {@code dependsOn} order, then the removed ones.
 */
final class ServiceComparison {

    /** NOTE: the variable that changes with every revision; a restart for it alone is "new revision". */
    private static final String REVISION_VAR = "VOLTIS_REVISION";

    private ServiceComparison() {
    }

    /** @param applied the applied revision's definitions; empty when nothing was applied or it cannot be read */
    static List<ServiceChange> compare(List<ServiceDefinition> applied, List<ServiceDefinition> desired) {
        Map<String, ServiceDefinition> before = new LinkedHashMap<>();
        applied.forEach(a -> before.put(a.name(), a));
        List<ServiceChange> out = new ArrayList<>();
        for (ServiceDefinition d : desired) {
            ServiceDefinition a = before.remove(d.name());
            out.add(new ServiceChange(d.name(), action(a, d), why(a, d), view(a), view(d)));
        }
        before.values().forEach(a -> out.add(new ServiceChange(a.name(), ServiceAction.STOP,
                "no longer declared", view(a), null)));
        return out;
    }

    private static ServiceAction action(ServiceDefinition a, ServiceDefinition d) {
        if (!running(d)) {
            return a != null && running(a) ? ServiceAction.STOP : ServiceAction.UNCHANGED;
        }
        if (a == null || !running(a)) {
            return ServiceAction.START;
        }
        return a.fingerprint().equals(d.fingerprint()) ? ServiceAction.UNCHANGED : ServiceAction.RESTART;
    }

    private static String why(ServiceDefinition a, ServiceDefinition d) {
        if (!running(d)) {
            return a != null && running(a) ? "state: stopped" : "declared stopped";
        }
        if (a == null) {
            return "new";
        }
        if (!running(a)) {
            return "state: running";
        }
        if (a.fingerprint().equals(d.fingerprint())) {
            return null;
        }
        List<String> what = new ArrayList<>();
        if (!a.command().equals(d.command())) {
            what.add("command changed");
        }
        TreeSet<String> env = new TreeSet<>(a.env().keySet());
        env.addAll(d.env().keySet());
        env.removeIf(k -> k.equals(REVISION_VAR) || Objects.equals(a.env().get(k), d.env().get(k)));
        if (!env.isEmpty()) {
            what.add("env " + String.join(", ", env) + " changed");
        }
        if (a.restart() != d.restart()) {
            what.add("restart policy changed");
        }
        if (!Objects.equals(a.health(), d.health())) {
            what.add("health check changed");
        }
        if (what.isEmpty()) {
            what.add(Objects.equals(a.env().get(REVISION_VAR), d.env().get(REVISION_VAR))
                    ? "workload files changed" : "new revision");
        }
        return String.join(", ", what);
    }

    private static boolean running(ServiceDefinition d) {
        return d.state() == ServiceState.RUNNING;
    }

    private static Definition view(ServiceDefinition d) {
        if (d == null) {
            return null;
        }
        if (d.secret()) {
            // its command or env holds a secret: no argument and no fingerprint (a digest of it) is shown
            return new Definition(d.state().keyword(), d.restart().keyword(),
                    List.of(d.command().get(0), "(arguments not shown: the service uses a secret)"), null);
        }
        return new Definition(d.state().keyword(), d.restart().keyword(), d.command(), d.fingerprint());
    }
}
