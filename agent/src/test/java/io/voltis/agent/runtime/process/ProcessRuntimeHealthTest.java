package io.voltis.agent.runtime.process;

import static io.voltis.agent.runtime.process.Processes.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpServer;
import io.voltis.agent.runtime.ServiceStatus;
import io.voltis.agent.runtime.health.HealthMonitor;
import io.voltis.model.HealthCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Health checks of process-runtime services, as the agent runs them: the process runtime wrapped
 * in the health monitor (the runtime itself does not probe). One failed probe is enough here
 * ({@code failures: 1}); HealthMonitorTest covers failures in a row.
 */
class ProcessRuntimeHealthTest extends RuntimeTest {

    private static final Duration INTERVAL = Duration.ofMillis(100);
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private HttpServer server;
    private HealthMonitor monitor;

    @AfterEach
    void stopServer() {
        if (monitor != null) {
            monitor.close();
        }
        if (server != null) {
            server.stop(0);
        }
    }

    private HealthMonitor monitor() {
        if (monitor == null) {
            monitor = new HealthMonitor(runtime(), Clock.systemUTC());
        }
        return monitor;
    }

    @Override
    ServiceStatus status(String name) {
        return monitor().status(name).orElseThrow();
    }

    @Test
    void httpCheck_turnsHealthyUnhealthyAndBack() throws Exception {
        AtomicInteger code = new AtomicInteger(200);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/health", exchange -> {
            exchange.sendResponseHeaders(code.get(), -1);
            exchange.close();
        });
        server.start();
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/health";
        monitor().apply(Definitions.sh("web", root, "exec sleep 1000")
                .health(new HealthCheck(url, null, null, INTERVAL, TIMEOUT, 1)).build());

        eventually().until(() -> status("web").healthy(), Boolean.TRUE::equals);
        assertThat(status("web").degraded()).isFalse();

        code.set(503);
        ServiceStatus sick = eventually().until(() -> status("web"), s -> Boolean.FALSE.equals(s.healthy()));
        assertThat(sick.actual()).isEqualTo(ServiceStatus.Actual.RUNNING);
        assertThat(sick.message()).matches("running as pid \\d+; health check failing: "
                + Pattern.quote("GET " + url + ": HTTP 503"));
        assertThat(sick.degraded()).isTrue();

        code.set(200);
        eventually().until(() -> status("web").healthy(), Boolean.TRUE::equals);
    }

    @Test
    void tcpCheck_followsTheListeningSocket() throws Exception {
        ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        String address = "127.0.0.1:" + socket.getLocalPort();
        monitor().apply(Definitions.sh("db", root, "exec sleep 1000")
                .health(new HealthCheck(null, address, null, INTERVAL, TIMEOUT, 1)).build());

        eventually().until(() -> status("db").healthy(), Boolean.TRUE::equals);
        socket.close();
        eventually().until(() -> status("db").healthy(), Boolean.FALSE::equals);
    }

    @Test
    void execCheck_runsInTheServiceFolderWithItsEnvironment() throws Exception {
        monitor().apply(Definitions.sh("worker", root, "exec sleep 1000").env(Map.of("READY_FILE", "ready"))
                .health(new HealthCheck(null, null, List.of("sh", "-c", "test -f \"$READY_FILE\""), INTERVAL, TIMEOUT, 1))
                .build());

        eventually().until(() -> status("worker").healthy(), Boolean.FALSE::equals);
        Files.writeString(root.resolve("ready"), "");
        eventually().until(() -> status("worker").healthy(), Boolean.TRUE::equals);
    }

    @Test
    void withoutCheck_healthyStaysUnknown() {
        monitor().apply(Definitions.sh("plain", root, "exec sleep 1000").build());

        assertThat(status("plain").healthy()).isNull();
        assertThat(status("plain").degraded()).isFalse();
    }
}
