package io.voltis.agent.runtime.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpServer;
import io.voltis.agent.runtime.ServiceDefinition;
import io.voltis.agent.runtime.ServiceRuntime;
import io.voltis.agent.runtime.ServiceStatus;
import io.voltis.agent.runtime.ServiceStatus.Actual;
import io.voltis.agent.runtime.process.ProcessRuntime;
import io.voltis.model.HealthCheck;
import io.voltis.model.RestartPolicy;
import io.voltis.model.ServiceState;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The health monitor over a real process runtime: real child processes, a real HTTP server on
 * 127.0.0.1, real probes. Only {@link #aServiceThatAnotherRuntimeReportsRunning_isProbedToo}
 * uses a stub runtime, standing for systemd (which cannot run here) reporting a unit running.
 */
class HealthMonitorTest {

    private static final Duration INTERVAL = Duration.ofMillis(100);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final ProcessRuntime.Settings FAST = new ProcessRuntime.Settings(Duration.ofSeconds(5),
            Duration.ofMillis(100), Duration.ofMillis(400), 64 * 1024, 3);

    @TempDir
    Path root;
    private HttpServer server;
    private ExecutorService handlers;
    private final HealthEndpoint endpoint = new HealthEndpoint();
    private ScheduledExecutorService timer;
    private HealthMonitor monitor;

    @BeforeEach
    void startServer() throws IOException {
        handlers = Executors.newCachedThreadPool();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(handlers);
        server.createContext("/health", exchange -> {
            int code = endpoint.answer();
            exchange.sendResponseHeaders(code, -1);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stopAll() {
        if (monitor != null) {
            monitor.close();
        }
        if (timer != null) {
            timer.shutdownNow();
        }
        endpoint.release();
        server.stop(0);
        handlers.shutdownNow();
    }

    private String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/health";
    }

    /** A monitor over a real process runtime whose agent environment is {@code agentEnv}. */
    private HealthMonitor monitorOverProcesses(Map<String, String> agentEnv) {
        timer = ProcessRuntime.newTimer();
        ProcessRuntime runtime = new ProcessRuntime(root.resolve("logs"), Clock.systemUTC(), timer, FAST, agentEnv);
        monitor = new HealthMonitor(runtime, Clock.systemUTC());
        return monitor;
    }

    private ServiceStatus status(String name) {
        return monitor.status(name).orElseThrow();
    }

    @Test
    void http_healthyAfterAnAnswer_unhealthyOnlyAfterFailuresInARow_andHealthyAgain() {
        monitorOverProcesses(System.getenv()).apply(sleeper("web", "v1", http(3)));

        assertThat(status("web").healthy()).as("no probe has answered yet").isNull();
        eventually().until(() -> status("web").healthy(), Boolean.TRUE::equals);
        assertThat(status("web").degraded()).isFalse();

        // Two failures, a success, then failures for good: only the third failure in a row counts.
        int start = endpoint.script(List.of(503, 503, 200), 503);
        ServiceStatus sick = eventually().until(() -> status("web"), s -> Boolean.FALSE.equals(s.healthy()));

        List<Probe> probes = endpoint.probesFrom(start);
        assertThat(probes).extracting(Probe::code).startsWith(503, 503, 200, 503, 503, 503);
        assertThat(probes.subList(0, 6)).as("healthy as each probe was asked, before it answered")
                .extracting(Probe::healthyBefore).containsOnly(Boolean.TRUE);
        assertThat(sick.actual()).isEqualTo(Actual.RUNNING);
        assertThat(sick.message()).matches("running as pid \\d+; health check failing: "
                + Pattern.quote("GET " + url() + ": HTTP 503"));
        assertThat(sick.degraded()).isTrue();

        endpoint.script(List.of(), 200);
        ServiceStatus well = eventually().until(() -> status("web"), s -> Boolean.TRUE.equals(s.healthy()));
        assertThat(well.message()).matches("running as pid \\d+");
        assertThat(well.degraded()).isFalse();
    }

    @Test
    void http_nothingListening_isUnhealthyWithTheReason() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        String closed = "http://127.0.0.1:" + port + "/health";
        monitorOverProcesses(System.getenv()).apply(sleeper("web", "v1",
                new HealthCheck(closed, null, null, INTERVAL, TIMEOUT, 1)));

        ServiceStatus sick = eventually().until(() -> status("web"), s -> Boolean.FALSE.equals(s.healthy()));

        assertThat(sick.message()).matches("running as pid \\d+; health check failing: "
                + Pattern.quote("GET " + closed + ": connection refused"));
    }

    @Test
    void aRestart_resetsHealthyUntilAProbeOfTheNewRunAnswers() throws Exception {
        monitorOverProcesses(System.getenv()).apply(new ServiceDefinition("test", "web",
                List.of("sh", "-c", "echo $$ > pid; exec sleep 1000"), Map.of(), root, RestartPolicy.ALWAYS,
                ServiceState.RUNNING, List.of(), http(3), "v1"));
        eventually().until(() -> status("web").healthy(), Boolean.TRUE::equals);

        endpoint.hold(); // probes of the new run cannot answer until released
        long pid = Long.parseLong(eventually().until(() -> read(root.resolve("pid")), t -> t.matches("\\d+\n")).trim());
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        ServiceStatus restarted = eventually().until(() -> status("web"),
                s -> s.actual() == Actual.RUNNING && s.restarts() == 1);

        assertThat(restarted.healthy()).isNull();
        assertThat(restarted.degraded()).isFalse();
        endpoint.release();
        eventually().until(() -> status("web"), s -> s.restarts() == 1 && Boolean.TRUE.equals(s.healthy()));
    }

    @Test
    void aNewDefinition_resetsHealthy_andAStoppedServiceHasNoVerdict() {
        monitorOverProcesses(System.getenv()).apply(sleeper("web", "v1", http(3)));
        eventually().until(() -> status("web").healthy(), Boolean.TRUE::equals);

        endpoint.hold();
        monitor.apply(sleeper("web", "v2", http(3)));

        assertThat(status("web").actual()).isEqualTo(Actual.RUNNING);
        assertThat(status("web").healthy()).isNull();
        endpoint.release();
        eventually().until(() -> status("web").healthy(), Boolean.TRUE::equals);

        monitor.apply(new ServiceDefinition("test", "web", List.of("sh", "-c", "exec sleep 1000"), Map.of(), root,
                RestartPolicy.ALWAYS, ServiceState.STOPPED, List.of(), http(3), "v3"));
        assertThat(status("web").actual()).isEqualTo(Actual.STOPPED);
        assertThat(status("web").healthy()).isNull();
    }

    /** The stub stands for the systemd runtime, which this test cannot run: it reports a unit running. */
    @Test
    void aServiceThatAnotherRuntimeReportsRunning_isProbedToo() throws IOException {
        SystemdLikeRuntime systemd = new SystemdLikeRuntime();
        monitor = new HealthMonitor(systemd, Clock.systemUTC());
        monitor.apply(sleeper("gateway", "v1", http(1)));

        eventually().until(() -> status("gateway").healthy(), Boolean.TRUE::equals);
        assertThat(monitor.statuses()).extracting(ServiceStatus::healthy).containsExactly(Boolean.TRUE);

        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        monitor.apply(sleeper("gateway", "v2", new HealthCheck(null, "127.0.0.1:" + port, null, INTERVAL, TIMEOUT, 1)));

        ServiceStatus sick = eventually().until(() -> status("gateway"), s -> Boolean.FALSE.equals(s.healthy()));
        assertThat(sick.message()).isEqualTo("running; health check failing: tcp 127.0.0.1:" + port
                + ": connection refused");
        assertThat(sick.degraded()).isTrue();
        assertThat(systemd.applied).extracting(ServiceDefinition::fingerprint).containsExactly("v1", "v2");
    }

    @Test
    void exec_runsInTheServiceFolderWithTheServiceEnvironment_neverTheAgents() throws IOException {
        Map<String, String> agentEnv = new HashMap<>(System.getenv());
        agentEnv.put("VOLTIS_GIT_TOKEN", "s3cret-token");
        agentEnv.put("PATH", "/usr/bin:/bin");
        monitorOverProcesses(agentEnv).apply(new ServiceDefinition("test", "worker", List.of("sh", "-c", "exec sleep 1000"),
                Map.of("GREETING", "hello"), root, RestartPolicy.ALWAYS, ServiceState.RUNNING, List.of(),
                new HealthCheck(null, null, List.of("sh", "-c", "env > probe.env"), INTERVAL, TIMEOUT, 1), "v1"));

        eventually().until(() -> status("worker").healthy(), Boolean.TRUE::equals);

        List<String> seen = Files.readAllLines(root.resolve("probe.env"));
        assertThat(seen).contains("GREETING=hello", "PATH=/usr/bin:/bin");
        assertThat(String.join("\n", seen)).doesNotContain("VOLTIS_GIT_TOKEN").doesNotContain("s3cret-token");
        Set<String> allowed = Set.of("GREETING", "PATH", "HOME", "LANG", "TZ", "PWD", "OLDPWD", "SHLVL", "_",
                "VOLTIS_SERVICE_ID");
        assertThat(seen).extracting(line -> line.substring(0, line.indexOf('=')))
                .as("only the service's variables and what sh sets itself").isSubsetOf(allowed);
    }

    @Test
    void withoutCheck_healthyStaysUnknown() {
        monitorOverProcesses(System.getenv()).apply(sleeper("plain", "v1", null));

        assertThat(status("plain").actual()).isEqualTo(Actual.RUNNING);
        assertThat(status("plain").healthy()).isNull();
        assertThat(status("plain").degraded()).isFalse();
    }

    @Test
    void close_endsTheProbeThreadsAndTheRuntime() {
        monitorOverProcesses(System.getenv()).apply(sleeper("web", "v1", http(3)));
        eventually().until(() -> status("web").healthy(), Boolean.TRUE::equals);
        assertThat(probeThreads()).isNotEmpty().allMatch(Thread::isDaemon);

        monitor.close();

        eventually().until(() -> probeThreads().isEmpty());
        assertThat(monitor.status("web")).map(ServiceStatus::actual).contains(Actual.STOPPED);
    }

    private static List<Thread> probeThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("voltis-health-") && t.isAlive()).toList();
    }

    private HealthCheck http(int failures) {
        return new HealthCheck(url(), null, null, INTERVAL, TIMEOUT, failures);
    }

    private ServiceDefinition sleeper(String name, String fingerprint, HealthCheck health) {
        return new ServiceDefinition("test", name, List.of("sh", "-c", "exec sleep 1000"), Map.of(), root,
                RestartPolicy.ALWAYS, ServiceState.RUNNING, List.of(), health, fingerprint);
    }

    private static ConditionFactory eventually() {
        return Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }

    /** One request to /health: what it answered, and the verdict the monitor showed when it came. */
    private record Probe(int code, Boolean healthyBefore) {
    }

    /** /health: answers a script of codes, then a steady code; can hold answers back; remembers each request. */
    private final class HealthEndpoint {

        private final List<Integer> script = new ArrayList<>();
        private final List<Probe> probes = new ArrayList<>();
        private int steady = 200;
        private CountDownLatch held = new CountDownLatch(0);

        /** Answers {@code codes} in turn, then {@code then}; returns the index of the next request. */
        synchronized int script(List<Integer> codes, int then) {
            script.clear();
            script.addAll(codes);
            steady = then;
            return probes.size();
        }

        synchronized List<Probe> probesFrom(int start) {
            return List.copyOf(probes.subList(start, probes.size()));
        }

        synchronized void hold() {
            held = new CountDownLatch(1);
        }

        void release() {
            CountDownLatch latch;
            synchronized (this) {
                latch = held;
            }
            latch.countDown();
        }

        int answer() {
            CountDownLatch latch;
            synchronized (this) {
                latch = held;
            }
            try {
                latch.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            // The monitor waits for this answer, so what it shows now is the verdict of the probes before.
            Boolean before = monitor == null ? null : monitor.status("web").map(ServiceStatus::healthy).orElse(null);
            synchronized (this) {
                int code = script.isEmpty() ? steady : script.remove(0);
                probes.add(new Probe(code, before));
                return code;
            }
        }
    }

    /** Stands for the systemd runtime: every applied service is reported running since an hour ago, with no message. */
    private static final class SystemdLikeRuntime implements ServiceRuntime {

        private final Instant since = Instant.now().minus(Duration.ofHours(1));
        final List<ServiceDefinition> applied = new ArrayList<>();

        @Override
        public synchronized void apply(ServiceDefinition definition) {
            applied.add(definition);
        }

        @Override
        public synchronized void remove(String name) {
            applied.removeIf(d -> d.name().equals(name));
        }

        @Override
        public synchronized List<String> names() {
            return applied.stream().map(ServiceDefinition::name).distinct().toList();
        }

        @Override
        public Optional<ServiceStatus> status(String name) {
            return names().contains(name) ? Optional.of(new ServiceStatus(name, "running", Actual.RUNNING, null, 0, since,
                    null, List.of(), null)) : Optional.empty();
        }

        @Override
        public List<ServiceStatus> statuses() {
            return names().stream().map(this::status).map(Optional::orElseThrow).toList();
        }

        @Override
        public void close() {
        }
    }
}
