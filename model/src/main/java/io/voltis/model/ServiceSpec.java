package io.voltis.model;

import java.util.List;
import java.util.Map;

/** A long-running process kept in its desired state. */
public record ServiceSpec(
        @Required String name,
        @Required List<String> command,
        ServiceState state,
        RestartPolicy restart,
        Map<String, String> env,
        List<String> dependsOn,
        HealthCheck health) {

    public ServiceSpec {
        command = List.copyOf(command);
        state = state == null ? ServiceState.RUNNING : state;
        restart = restart == null ? RestartPolicy.ALWAYS : restart;
        env = env == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(env));
        dependsOn = dependsOn == null ? List.of() : List.copyOf(dependsOn);
    }
}
