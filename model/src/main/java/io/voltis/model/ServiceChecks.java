package io.voltis.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Checks of a workload's services and jobs: names, commands, dependencies, health checks, triggers. */
final class ServiceChecks {

    private final WorkloadChecks checks;

    ServiceChecks(WorkloadChecks checks) {
        this.checks = checks;
    }

    void run(List<ServiceSpec> services, List<JobSpec> jobs) {
        Map<String, Integer> names = new HashMap<>();
        for (int i = 0; i < services.size(); i++) {
            service("services[" + i + "]", services.get(i), names, i);
        }
        dependencies(services);
        Map<String, Integer> jobNames = new HashMap<>();
        for (int i = 0; i < jobs.size(); i++) {
            job("jobs[" + i + "]", jobs.get(i), jobNames, i);
        }
    }

    private void service(String at, ServiceSpec s, Map<String, Integer> names, int index) {
        checks.name(at + ".name", s.name(), Names.OBJECT, "service name (lowercase letters, digits, '.', '_', '-')",
                names, index, "services");
        argv(at + ".command", s.command());
        checks.env(at + ".env", s.env());
        HealthCheck health = s.health();
        if (health == null) {
            return;
        }
        probe(checks, at + ".health", health);
    }

    /** A health check or a gate check: exactly one probe, its URL, address or command, its figures. */
    static void probe(WorkloadChecks checks, String h, HealthCheck health) {
        int probes = (health.http() != null ? 1 : 0) + (health.tcp() != null ? 1 : 0) + (health.exec() != null ? 1 : 0);
        if (probes != 1) {
            checks.add(h, "give exactly one of http, tcp, exec");
        }
        if (health.http() != null) {
            checks.url(h + ".http", health.http(), Set.of("http", "https"));
        }
        if (health.tcp() != null) {
            checks.tcp(h + ".tcp", health.tcp());
        }
        if (health.exec() != null) {
            argv(checks, h + ".exec", health.exec());
        }
        checks.positive(h + ".interval", health.interval());
        checks.positive(h + ".timeout", health.timeout());
        checks.between(h + ".failures", health.failures(), 1, HealthCheck.MAX_FAILURES);
    }

    private void job(String at, JobSpec j, Map<String, Integer> names, int index) {
        checks.name(at + ".name", j.name(), Names.OBJECT, "job name (lowercase letters, digits, '.', '_', '-')",
                names, index, "jobs");
        argv(at + ".run", j.run());
        checks.env(at + ".env", j.env());
        checks.positive(at + ".timeout", j.timeout());
        if (j.when() != null && j.schedule() != null) {
            checks.add(at, "give either when or schedule, not both");
        } else if (j.when() == null && j.schedule() == null && !checks.given(at + ".when")) {
            checks.add(at, "one of when (per-revision|once) or schedule (a cron expression) is required");
        }
        if (j.schedule() != null) {
            checks.cron(at + ".schedule", j.schedule());
        }
    }

    private void argv(String at, List<String> argv) {
        argv(checks, at, argv);
    }

    private static void argv(WorkloadChecks checks, String at, List<String> argv) {
        if (argv.isEmpty()) {
            checks.add(at, "must name a program to run");
        }
        for (int i = 0; i < argv.size(); i++) {
            checks.references(at + "[" + i + "]", argv.get(i));
        }
    }

    /** dependsOn names an existing other service, and the graph has no cycle. */
    private void dependencies(List<ServiceSpec> services) {
        Map<String, Integer> index = new LinkedHashMap<>();
        for (int i = 0; i < services.size(); i++) {
            index.putIfAbsent(services.get(i).name(), i);
        }
        for (int i = 0; i < services.size(); i++) {
            List<String> deps = services.get(i).dependsOn();
            for (int d = 0; d < deps.size(); d++) {
                String dep = deps.get(d);
                String at = "services[" + i + "].dependsOn[" + d + "]";
                if (dep.equals(services.get(i).name())) {
                    checks.add(at, "a service cannot depend on itself");
                } else if (!index.containsKey(dep)) {
                    checks.add(at, "'" + dep + "' is not a service of this workload" + Suggest.hint(dep, index.keySet()));
                }
            }
        }
        Set<String> reported = new HashSet<>();
        Map<String, Integer> state = new HashMap<>();
        for (ServiceSpec s : services) {
            List<String> path = new ArrayList<>();
            List<String> cycle = findCycle(s.name(), services, index, state, path);
            state.replaceAll((name, mark) -> 2);
            if (cycle != null && reported.addAll(cycle)) {
                int first = index.get(cycle.get(0));
                checks.add("services[" + first + "].dependsOn", "dependency cycle: " + String.join(" -> ", cycle));
            }
        }
    }

    /** Depth-first search; state 1 = on the current path, 2 = done. Returns the cycle, closed. */
    private static List<String> findCycle(String name, List<ServiceSpec> services, Map<String, Integer> index,
                                          Map<String, Integer> state, List<String> path) {
        Integer i = index.get(name);
        if (i == null || Integer.valueOf(2).equals(state.get(name))) {
            return null;
        }
        if (Integer.valueOf(1).equals(state.get(name))) {
            List<String> cycle = new ArrayList<>(path.subList(path.indexOf(name), path.size()));
            cycle.add(name);
            return cycle;
        }
        state.put(name, 1);
        path.add(name);
        for (String dep : services.get(i).dependsOn()) {
            if (!dep.equals(name)) {
                List<String> cycle = findCycle(dep, services, index, state, path);
                if (cycle != null) {
                    return cycle;
                }
            }
        }
        path.remove(path.size() - 1);
        state.put(name, 2);
        return null;
    }
}
