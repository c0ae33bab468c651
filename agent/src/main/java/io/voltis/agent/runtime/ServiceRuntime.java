package io.voltis.agent.runtime;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Keeps services in their desired state. Calls come from one reconcile tick at a time; status
 * may be read from any thread. Implementations restart crashed services on their own
 * (restart policy, exponential backoff) between ticks, and never block a tick waiting for a
 * crash loop.
 */
public interface ServiceRuntime extends AutoCloseable {

    /**
     * Makes the service match {@code definition}: starts it if it is not running, restarts it
     * if its fingerprint changed, stops it if its state is {@code stopped}. Returns once the
     * process is started (not once it is healthy). A command that cannot start is not an
     * exception: its status says why.
     */
    void apply(ServiceDefinition definition);

    /** Stops and forgets a service that the applied revision no longer declares. */
    void remove(String name);

    /** The names of the services this runtime manages. */
    List<String> names();

    Optional<ServiceStatus> status(String name);

    List<ServiceStatus> statuses();

    /** Where the services' output can be read back (the status API and {@code voltis-agent logs}). */
    default ServiceLogs logs() {
        return ServiceLogs.NONE;
    }

    /**
     * The environment the service's process is given: its {@code env} plus whatever this runtime
     * adds (a base PATH, say), and nothing else of the agent's own environment. Health probes
     * that run a command run it with exactly this.
     */
    default Map<String, String> environment(ServiceDefinition definition) {
        return definition.env();
    }

    /** What happens to running services when the agent stops is the runtime's documented choice. */
    @Override
    void close();
}
