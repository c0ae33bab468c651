package io.voltis.agent.runtime.process;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.voltis.agent.runtime.ServiceDefinition;
import io.voltis.model.HealthCheck;
import io.voltis.model.RestartPolicy;
import io.voltis.model.ServiceState;

/** Service definitions for tests: {@code sh -c script} in a working directory, restart always, fingerprint v1. */
final class Definitions {

    private final String name;
    private final Path dir;
    private List<String> command;
    private Map<String, String> env = Map.of();
    private RestartPolicy restart = RestartPolicy.ALWAYS;
    private ServiceState state = ServiceState.RUNNING;
    private HealthCheck health;
    private String fingerprint = "v1";

    private Definitions(String name, Path dir, List<String> command) {
        this.name = name;
        this.dir = dir;
        this.command = command;
    }

    static Definitions sh(String name, Path dir, String script) {
        return new Definitions(name, dir, List.of("sh", "-c", script));
    }

    static Definitions command(String name, Path dir, String... command) {
        return new Definitions(name, dir, List.of(command));
    }

    Definitions env(Map<String, String> value) {
        env = value;
        return this;
    }

    Definitions restart(RestartPolicy value) {
        restart = value;
        return this;
    }

    Definitions stopped() {
        state = ServiceState.STOPPED;
        return this;
    }

    Definitions health(HealthCheck value) {
        health = value;
        return this;
    }

    Definitions fingerprint(String value) {
        fingerprint = value;
        return this;
    }

    ServiceDefinition build() {
        return new ServiceDefinition("test", name, command, env, dir, restart, state, List.of(), health, fingerprint);
    }
}
