package io.voltis.agent.hints;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * A real Mosquitto broker (the Debian package) in a child process on a loopback port, with its
 * own config; messages are published with the real {@code mosquitto_pub}. Missing tools skip
 * the test, unless {@code -Dvoltis.requireBrokers=true} (CI) makes that a failure.
 */
final class Mosquitto implements AutoCloseable {

    private final Path dir;
    private final int port;
    private final List<String> extra;
    private Process process;

    private Mosquitto(Path dir, int port, List<String> extra) {
        this.dir = dir;
        this.port = port;
        this.extra = extra;
    }

    static void assumeInstalled() {
        boolean there = Files.isExecutable(Path.of("/usr/sbin/mosquitto")) && Files.isExecutable(Path.of("/usr/bin/mosquitto_pub"));
        if (!there && Boolean.getBoolean("voltis.requireBrokers")) {
            throw new AssertionError("mosquitto and mosquitto-clients are required (-Dvoltis.requireBrokers=true):"
                    + " apt-get install mosquitto mosquitto-clients");
        }
        Assumptions.assumeTrue(there, "mosquitto is not installed (apt-get install mosquitto mosquitto-clients)");
    }

    /** A broker not started yet, on a free port: {@link #start()} it when the test wants. */
    static Mosquitto on(Path dir, String... configLines) throws IOException {
        assumeInstalled();
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Files.createDirectories(dir);
        return new Mosquitto(dir, port, List.of(configLines));
    }

    static Mosquitto started(Path dir, String... configLines) throws Exception {
        Mosquitto m = on(dir, configLines);
        m.start();
        return m;
    }

    String url() {
        return "tcp://127.0.0.1:" + port;
    }

    int port() {
        return port;
    }

    Path dir() {
        return dir;
    }

    void start() throws Exception {
        List<String> conf = new ArrayList<>(List.of("listener " + port + " 127.0.0.1", "persistence false",
                "user root", "log_dest file " + dir.resolve("mosquitto.log")));
        if (extra.stream().noneMatch(l -> l.startsWith("allow_anonymous"))) {
            conf.add("allow_anonymous true");
        }
        conf.addAll(extra);
        Path file = dir.resolve("mosquitto.conf");
        Files.write(file, conf);
        process = new ProcessBuilder("/usr/sbin/mosquitto", "-c", file.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("mosquitto.out").toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("mosquitto exited: " + Files.readString(dir.resolve("mosquitto.out")));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("mosquitto did not listen on " + port + " in 10 s");
    }

    void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            process = null;
        }
    }

    /** Publishes an empty message (a hint carries nothing) to {@code topic}, QoS 1, as the fleet's hook does. */
    void publish(String topic, String... auth) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("mosquitto_pub", "-h", "127.0.0.1", "-p", String.valueOf(port),
                "-q", "1", "-t", topic, "-n"));
        cmd.addAll(List.of(auth));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("mosquitto_pub " + topic + ": " + new String(p.getInputStream().readAllBytes()));
        }
    }

    /** The broker's password file with one user, made by the real mosquitto_passwd. */
    static Path passwordFile(Path dir, String user, String password) throws Exception {
        Files.createDirectories(dir);
        Path file = dir.resolve("passwd");
        Process p = new ProcessBuilder("mosquitto_passwd", "-b", "-c", file.toString(), user, password)
                .redirectErrorStream(true).start();
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("mosquitto_passwd: " + new String(p.getInputStream().readAllBytes()));
        }
        return file;
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
