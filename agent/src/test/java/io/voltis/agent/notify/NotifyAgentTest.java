package io.voltis.agent.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.voltis.agent.reconcile.AgentFixture;
import io.voltis.agent.runtime.ServiceStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole agent (real Git repo, real processes, real store) with a webhook target on loopback:
 * a service that stays down across a restart of the agent is told once, and its recovery once.
 */
class NotifyAgentTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    private AgentFixture f;
    private Receiver hook;

    @AfterEach
    void tearDown() {
        if (f != null) {
            f.close();
        }
        if (hook != null) {
            hook.close();
        }
    }

    private static Map<String, String> workload(String web) {
        return Map.of("devices/dev1.yaml", "workload: app\n",
                "workloads/app/files/version", "1\n",
                "workloads/app/workload.yaml", "apiVersion: voltis/v1\n"
                        + "files:\n  - {source: files/version, target: etc/version}\n"
                        + "services:\n  - {name: web, restart: never, command: [sh, -c, \"" + web + "\"]}\n");
    }

    private boolean web(ServiceStatus.Actual actual) {
        return f.agent.tickNow().services().stream().anyMatch(s -> s.name().equals("web") && s.actual() == actual);
    }

    private long recorded(String type) {
        return f.agent.store().events(100).stream().filter(e -> e.type().equals(type)).count();
    }

    @Test
    void aServiceDownAcrossARestartOfTheAgent_isToldOnce_andItsRecoveryOnce() throws Exception {
        hook = new Receiver();
        f = new AgentFixture(tmp);
        f.notify = NotifierTest.targets("- {name: ops, webhook: '" + hook.url() + "'}");
        f.origin.commit("v1", workload("echo cannot bind; exit 3"));
        f.start();
        f.converge();
        await().atMost(PATIENCE).until(() -> web(ServiceStatus.Actual.FAILED));
        await().atMost(PATIENCE).until(() -> hook.delivered().size() == 1);
        assertThat(NotifierTest.kinds(hook)).containsExactly("ServiceDegraded");

        f.agent.close(); // the service is started again by the next agent, and fails again
        f.start();
        f.converge();
        await().atMost(PATIENCE).until(() -> web(ServiceStatus.Actual.FAILED));
        for (int i = 0; i < 5; i++) {
            f.agent.tickNow();
            Thread.sleep(100);
        }
        assertThat(recorded("ServiceDegraded")).as("still down: not degraded anew").isEqualTo(1);
        Thread.sleep(500);
        assertThat(NotifierTest.kinds(hook)).containsExactly("ServiceDegraded");

        f.origin.commit("v2", workload("exec sleep 1000"));
        f.converge();
        await().atMost(PATIENCE).until(() -> web(ServiceStatus.Actual.RUNNING));
        assertThat(recorded("ServiceRecovered")).as("recovered only once it ran 10 s").isZero();
        await().atMost(PATIENCE).until(() -> web(ServiceStatus.Actual.RUNNING) && hook.delivered().size() >= 2);
        Thread.sleep(500);
        assertThat(NotifierTest.kinds(hook)).containsExactly("ServiceDegraded", "ServiceRecovered");
        assertThat(Receiver.json(hook.delivered().get(1))).containsEntry("recovery", true).containsEntry("workload", "app");
        // the sender records the delivery once the receiver answered
        await().atMost(PATIENCE).until(() -> f.agent.status().notifications().get(0).pending() == 0
                && f.agent.status().notifications().get(0).lastDeliveredAt() != null);
    }
}
