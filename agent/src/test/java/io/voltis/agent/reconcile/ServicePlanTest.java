package io.voltis.agent.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.voltis.agent.runtime.ServiceDefinition;
import io.voltis.model.RestartPolicy;
import io.voltis.model.ServiceSpec;
import io.voltis.model.ServiceState;
import org.junit.jupiter.api.Test;

/** How a workload's services become the definitions the runtimes get. */
class ServicePlanTest {

    private static final Map<String, String> VARS = Map.of("VOLTIS_ROOT", "/", "VOLTIS_REVISION", "3f2a9c1",
            "VOLTIS_WORKLOAD", "gw", "VOLTIS_HOSTNAME", "edge-01");

    @Test
    void dependsOn_reachesTheDefinition_dependenciesFirst_aStoppedDependencyLeftOut() {
        List<ServiceSpec> services = List.of(
                spec("gateway", ServiceState.RUNNING, List.of("broker", "debug-shell")),
                spec("broker", ServiceState.RUNNING, List.of()),
                spec("debug-shell", ServiceState.STOPPED, List.of()));

        List<ServiceDefinition> definitions = ServicePlan.definitions("gw", services, Path.of("/srv/gw"), List.of(), List.of(), VARS);

        assertThat(definitions).extracting(ServiceDefinition::name).containsExactly("broker", "debug-shell", "gateway");
        assertThat(definitions.get(2).dependsOn()).as("starting gateway must not start the stopped debug-shell")
                .containsExactly("broker");
        assertThat(definitions.get(0).dependsOn()).isEmpty();
    }

    @Test
    void dependsOn_isNotPartOfTheFingerprint_theProcessSeesNothingNew() {
        List<ServiceDefinition> without = ServicePlan.definitions("gw", List.of(spec("gateway", ServiceState.RUNNING, List.of()),
                spec("broker", ServiceState.RUNNING, List.of())), Path.of("/srv/gw"), List.of(), List.of(), VARS);
        List<ServiceDefinition> with = ServicePlan.definitions("gw", List.of(spec("gateway", ServiceState.RUNNING, List.of("broker")),
                spec("broker", ServiceState.RUNNING, List.of())), Path.of("/srv/gw"), List.of(), List.of(), VARS);

        assertThat(with.get(1).name()).isEqualTo("gateway");
        assertThat(with.get(1).fingerprint()).isEqualTo(without.get(0).fingerprint());
    }

    private static ServiceSpec spec(String name, ServiceState state, List<String> dependsOn) {
        return new ServiceSpec(name, List.of("/usr/bin/" + name), state, RestartPolicy.ALWAYS, Map.of(), dependsOn, null);
    }
}
