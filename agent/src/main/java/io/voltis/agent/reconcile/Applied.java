package io.voltis.agent.reconcile;

import java.util.List;
import java.util.Map;

import io.voltis.agent.files.DesiredFile;
import io.voltis.agent.runtime.ServiceDefinition;
import io.voltis.sync.Preparation;

/**
 * The revision the device runs, with everything the quiet ticks compare against. Public so
 * that {@code voltis-agent plan} can compare two revisions as the reconciler would.
 */
public record Applied(Preparation.Ready ready, Map<String, String> vars, List<DesiredFile> files,
               List<ServiceDefinition> services, java.util.Set<String> healthChecked) {

    Applied(Preparation.Ready ready, Map<String, String> vars, List<DesiredFile> files, List<ServiceDefinition> services) {
        this(ready, vars, files, services, services.stream()
                .filter(d -> d.health() != null && d.state() == io.voltis.model.ServiceState.RUNNING)
                .map(ServiceDefinition::name).collect(java.util.stream.Collectors.toUnmodifiableSet()));
    }

    public String sha() {
        return ready.sha();
    }

    public String workload() {
        return ready.resolution().workload().name();
    }
}
