package io.voltis.agent.reconcile;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import io.voltis.agent.files.DesiredFile;
import io.voltis.agent.runtime.ServiceDefinition;
import io.voltis.model.DeviceSpec;
import io.voltis.model.HealthCheck;
import io.voltis.model.ServiceSpec;
import io.voltis.model.ServiceState;
import io.voltis.model.Templates;
import io.voltis.sync.git.CommitTree;

/**
 * Turns a revision's services into runtime definitions: {@code ${var}} filled, environment
 * completed with the VOLTIS_* variables, in {@code dependsOn} order and naming the dependencies
 * that are to run (see {@link ServiceDefinition}), each with a fingerprint
 * over everything its process sees — its own definition, the workload folder's content and the
 * rendered files — so that a service restarts exactly when one of those changed.
 */
final class ServicePlan {

    private ServicePlan() {
    }

    static List<ServiceDefinition> definitions(String workload, List<ServiceSpec> services, Path dir,
                                               List<CommitTree.File> tree, List<DesiredFile> files,
                                               Map<String, String> vars) {
        String shared = sharedFingerprint(tree, files);
        Map<String, ServiceState> states = new HashMap<>();
        services.forEach(s -> states.put(s.name(), s.state()));
        Map<String, ServiceDefinition> byName = new LinkedHashMap<>();
        for (ServiceSpec s : services) {
            List<String> command = s.command().stream().map(a -> Templates.render(a, vars)).toList();
            Map<String, String> env = new TreeMap<>();
            s.env().forEach((k, v) -> env.put(k, Templates.render(v, vars)));
            Templates.BUILTINS.forEach(k -> env.put(k, vars.get(k)));
            HealthCheck h = s.health() == null ? null : new HealthCheck(
                    render(s.health().http(), vars), render(s.health().tcp(), vars),
                    s.health().exec() == null ? null : s.health().exec().stream().map(a -> Templates.render(a, vars)).toList(),
                    s.health().interval(), s.health().timeout(), s.health().failures());
            String fingerprint = digest(shared + "\0" + s.name() + "\0" + command + "\0" + env + "\0" + s.state() + "\0"
                    + s.restart() + "\0" + fingerprintText(h));
            // A dependency declared stopped stays stopped: starting this service must not start it.
            List<String> dependsOn = s.dependsOn().stream().filter(d -> states.get(d) == ServiceState.RUNNING).toList();
            boolean secret = Stream.concat(s.command().stream(), s.env().values().stream())
                    .anyMatch(v -> Templates.references(v).stream().anyMatch(n -> n.startsWith(DeviceSpec.SECRET_PREFIX)));
            byName.put(s.name(), new ServiceDefinition(workload, s.name(), command, env, dir, s.restart(), s.state(),
                    dependsOn, h, fingerprint, secret));
        }
        return order(services, byName);
    }

    /**
     * The check as fingerprints spelt it before {@code failures} existed, which the process never
     * sees: leaving it out keeps every fingerprint, so an agent upgrade restarts no service.
     */
    private static String fingerprintText(HealthCheck h) {
        return h == null ? "null" : "HealthCheck[http=" + h.http() + ", tcp=" + h.tcp() + ", exec=" + h.exec()
                + ", interval=" + h.interval() + ", timeout=" + h.timeout() + "]";
    }

    /** Dependencies first (the model refused cycles and unknown names). */
    private static List<ServiceDefinition> order(List<ServiceSpec> services, Map<String, ServiceDefinition> byName) {
        Map<String, List<String>> deps = new HashMap<>();
        services.forEach(s -> deps.put(s.name(), s.dependsOn()));
        List<ServiceDefinition> out = new ArrayList<>();
        Map<String, Boolean> done = new HashMap<>();
        for (ServiceSpec s : services) {
            Deque<String> stack = new ArrayDeque<>();
            visit(s.name(), deps, done, stack, byName, out);
        }
        return out;
    }

    private static void visit(String name, Map<String, List<String>> deps, Map<String, Boolean> done, Deque<String> stack,
                              Map<String, ServiceDefinition> byName, List<ServiceDefinition> out) {
        if (done.containsKey(name) || stack.contains(name) || !byName.containsKey(name)) {
            return;
        }
        stack.push(name);
        for (String dep : deps.getOrDefault(name, List.of())) {
            visit(dep, deps, done, stack, byName, out);
        }
        stack.pop();
        done.put(name, true);
        out.add(byName.get(name));
    }

    private static String sharedFingerprint(List<CommitTree.File> tree, List<DesiredFile> files) {
        StringBuilder text = new StringBuilder();
        tree.forEach(f -> text.append(f.path()).append(' ').append(f.blob()).append(f.executable() ? " x" : "").append('\n'));
        files.forEach(f -> text.append(f.target()).append(' ').append(String.format("%04o ", f.mode()))
                .append(f.fingerprint()).append('\n'));
        return digest(text.toString());
    }

    private static String render(String value, Map<String, String> vars) {
        return value == null ? null : Templates.render(value, vars);
    }

    static String digest(String text) {
        return digest(text.getBytes(StandardCharsets.UTF_8));
    }

    static String digest(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
