package io.voltis.agent.runtime.systemd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.sun.net.httpserver.HttpServer;
import io.voltis.agent.runtime.ServiceDefinition;
import io.voltis.agent.runtime.ServiceStatus;
import io.voltis.agent.runtime.health.HealthMonitor;
import io.voltis.model.HealthCheck;
import io.voltis.model.RestartPolicy;
import io.voltis.model.ServiceState;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Health checks under systemd: the real systemd runtime over the fake systemctl, wrapped in the health monitor. */
class SystemdHealthTest {

    private static final String UNIT = "voltis-gw-gateway.service";
    private static final Duration INTERVAL = Duration.ofMillis(100);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @TempDir
    Path root;
    private HttpServer server;
    private HealthMonitor monitor;

    @AfterEach
    void stop() {
        if (monitor != null) {
            monitor.close();
        }
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void aUnitSystemdReportsActive_becomesHealthy_andUnhealthyWithTheReason() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/health", exchange -> {
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        FakeSystemd systemd = new FakeSystemd(root);
        monitor = new HealthMonitor(systemd.runtime(), FakeSystemd.CLOCK);
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/health";

        monitor.apply(gateway("fp-1", new HealthCheck(url, null, null, INTERVAL, TIMEOUT, 1)));
        systemd.showAnswersFixture(UNIT, "active-running.txt");

        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> status().healthy(), Boolean.TRUE::equals);

        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        monitor.apply(gateway("fp-2", new HealthCheck(null, "127.0.0.1:" + port, null, INTERVAL, TIMEOUT, 1)));
        ServiceStatus sick = Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(this::status, s -> Boolean.FALSE.equals(s.healthy()));

        assertThat(sick.actual()).isEqualTo(ServiceStatus.Actual.RUNNING);
        assertThat(sick.message()).isEqualTo("running; health check failing: tcp 127.0.0.1:" + port + ": connection refused");
        assertThat(sick.degraded()).isTrue();
    }

    @Test
    void environment_isTheUnitsOwnOverSystemdsPath() {
        SystemdRuntime runtime = new FakeSystemd(root).runtime();

        Map<String, String> env = runtime.environment(gateway("fp-1", null));

        assertThat(env).containsOnly(Map.entry("PATH", SystemdRuntime.MANAGER_PATH), Map.entry("LOG_LEVEL", "info"),
                Map.entry("VOLTIS_WORKLOAD", "gw"));
    }

    private ServiceStatus status() {
        return monitor.status("gateway").orElseThrow();
    }

    private static ServiceDefinition gateway(String fingerprint, HealthCheck health) {
        ServiceDefinition d = FakeSystemd.running("gateway", fingerprint);
        return new ServiceDefinition(d.workload(), d.name(), d.command(), d.env(), d.workingDir(), RestartPolicy.ALWAYS,
                ServiceState.RUNNING, List.of(), health, fingerprint);
    }
}
