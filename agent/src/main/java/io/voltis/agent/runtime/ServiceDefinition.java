package io.voltis.agent.runtime;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.voltis.model.HealthCheck;
import io.voltis.model.RestartPolicy;
import io.voltis.model.ServiceState;

/**
 * A service as the runtime must run it, with every {@code ${var}} already filled: the command,
 * the full environment (the workload's {@code env} plus the VOLTIS_* variables), the working
 * directory (the unpacked revision), the restart policy, the desired state, the services of the
 * same workload it must start after, and the health check. {@code fingerprint} changes whenever
 * anything the process sees changes (definition or the files it reads), so an equal fingerprint
 * means "leave it running".
 * <p>
 * {@code dependsOn} holds the workload's {@code dependsOn} names of services that are to run: a
 * dependency declared {@code stopped} is left out, as starting this service must not start it
 * (systemd's {@code Wants=} would). It is not part of the fingerprint: the order of starts
 * changes nothing the running process sees.
 * <p>
 * {@code secret} is set when the command or environment holds a {@code ${secret.*}} value: the
 * systemd runtime then writes the unit readable by root only (docs/secrets.md).
 */
public record ServiceDefinition(String workload, String name, List<String> command, Map<String, String> env,
                                Path workingDir, RestartPolicy restart, ServiceState state, List<String> dependsOn,
                                HealthCheck health, String fingerprint, boolean secret) {

    public ServiceDefinition {
        command = List.copyOf(command);
        env = Map.copyOf(env);
        dependsOn = dependsOn == null ? List.of() : List.copyOf(dependsOn);
    }

    /** A definition that holds no secret. */
    public ServiceDefinition(String workload, String name, List<String> command, Map<String, String> env,
                             Path workingDir, RestartPolicy restart, ServiceState state, List<String> dependsOn,
                             HealthCheck health, String fingerprint) {
        this(workload, name, command, env, workingDir, restart, state, dependsOn, health, fingerprint, false);
    }

    @Override
    public String toString() {
        return "ServiceDefinition[" + workload + "/" + name + ", " + (secret ? "command and env not shown: they hold a secret"
                : "command=" + command + ", env=" + env) + ", state=" + state + "]";
    }
}
