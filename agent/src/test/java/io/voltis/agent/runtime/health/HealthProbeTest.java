package io.voltis.agent.runtime.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpServer;
import io.voltis.model.HealthCheck;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HealthProbeTest {

    private static final Duration INTERVAL = Duration.ofSeconds(1);
    private static final Duration TIMEOUT = Duration.ofMillis(500);

    @TempDir
    Path dir;
    private HttpServer server;
    private ExecutorService handlers;
    private final CountDownLatch release = new CountDownLatch(1);

    @BeforeEach
    void startServer() throws IOException {
        handlers = Executors.newCachedThreadPool();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(handlers);
        server.createContext("/status/", exchange -> {
            int code = Integer.parseInt(exchange.getRequestURI().getPath().substring("/status/".length()));
            if (code >= 300 && code < 400) {
                exchange.getResponseHeaders().add("Location", "/elsewhere");
            }
            exchange.sendResponseHeaders(code, -1);
            exchange.close();
        });
        server.createContext("/hang", exchange -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stopServer() {
        release.countDown();
        server.stop(0);
        handlers.shutdownNow();
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    private static HealthProbe http(String url) {
        return HealthProbe.of(new HealthCheck(url, null, null, INTERVAL, TIMEOUT, null), Path.of("/"), Map.of());
    }

    private HealthProbe exec(String script, Map<String, String> env) {
        return HealthProbe.of(new HealthCheck(null, null, List.of("sh", "-c", script), INTERVAL, TIMEOUT, null), dir, env);
    }

    @ParameterizedTest(name = "HTTP {0} -> {1}")
    @CsvSource({"200, true", "204, true", "302, true", "404, false", "500, false", "503, false"})
    void http_twoAndThreeHundredsAreHealthy(int code, boolean healthy) {
        HealthProbe.Result result = http(url("/status/" + code)).check();

        assertThat(result.ok()).isEqualTo(healthy);
        assertThat(result.reason()).isEqualTo(healthy ? null : "HTTP " + code);
    }

    @Test
    void http_aServerThatNeverAnswers_isUnhealthyAtTheTimeout() {
        assertThat(http(url("/hang")).check()).isEqualTo(HealthProbe.Result.failed("timed out after 500ms"));
    }

    @Test
    void http_nothingListening_isUnhealthy() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        assertThat(http("http://127.0.0.1:" + port + "/health").check())
                .isEqualTo(HealthProbe.Result.failed("connection refused"));
    }

    @Test
    void tcp_healthyWhileSomethingListens() throws IOException {
        ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        HealthProbe probe = HealthProbe.of(new HealthCheck(null, "127.0.0.1:" + socket.getLocalPort(), null, INTERVAL,
                TIMEOUT, null), dir, Map.of());

        assertThat(probe.check()).isEqualTo(HealthProbe.Result.healthy());
        socket.close();
        assertThat(probe.check()).isEqualTo(HealthProbe.Result.failed("connection refused"));
        assertThat(probe.target()).isEqualTo("tcp 127.0.0.1:" + socket.getLocalPort());
    }

    @Test
    void exec_exitCodeDecides() {
        assertThat(exec("exit 0", Map.of()).check()).isEqualTo(HealthProbe.Result.healthy());
        assertThat(exec("exit 1", Map.of()).check()).isEqualTo(HealthProbe.Result.failed("exited with code 1"));
    }

    @Test
    void exec_runsInTheWorkingDirWithExactlyTheGivenEnvironment() throws IOException {
        Files.writeString(dir.resolve("marker"), "");
        HealthProbe probe = exec("test -f marker && test \"$MODE\" = ready && test -z \"$HOME\"", Map.of("MODE", "ready"));

        assertThat(probe.check().ok()).isTrue();
        Files.delete(dir.resolve("marker"));
        assertThat(probe.check().ok()).isFalse();
    }

    @Test
    void exec_stillRunningAtTheTimeout_isUnhealthyAndKilled() {
        List<String> command = List.of("sh", "-c", "sleep 1000 & echo $! > child; echo $$ > pid; wait");
        HealthProbe probe = HealthProbe.of(new HealthCheck(null, null, command, INTERVAL, Duration.ofSeconds(3), null), dir,
                Map.of("PATH", "/usr/bin:/bin"));

        assertThat(probe.check()).isEqualTo(HealthProbe.Result.failed("timed out after 3s, killed"));
        for (String file : List.of("pid", "child")) {
            long pid = Long.parseLong(read(dir.resolve(file)));
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !alive(pid));
        }
    }

    @Test
    void exec_aCommandThatCannotRun_saysWhy() {
        HealthProbe probe = HealthProbe.of(new HealthCheck(null, null, List.of("./missing"), INTERVAL, TIMEOUT, null), dir,
                Map.of());

        HealthProbe.Result result = probe.check();

        assertThat(result.ok()).isFalse();
        assertThat(result.reason()).startsWith("cannot run: ").contains("missing");
    }

    @Test
    void aCheckNamingNoProbe_isRejected() {
        assertThatThrownBy(() -> HealthProbe.of(new HealthCheck(null, null, null, INTERVAL, TIMEOUT, null), dir, Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("health check names none of http, tcp, exec");
        assertThatThrownBy(() -> HealthProbe.of(new HealthCheck(null, "localhost", null, INTERVAL, TIMEOUT, null), dir, Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("host:port");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file).trim();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Alive as ps shows it: a zombie is not. */
    private static boolean alive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return !stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException e) {
            return false;
        }
    }
}
