package io.voltis.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import io.voltis.agent.api.ApiAddress;
import io.voltis.sync.git.LocalRepos;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import sun.misc.Signal;

/**
 * {@code voltis-agent training}: the run the launcher makes the class-data archive from
 * (docs/operations.md, "Memory and the Java flags"; decision 0036). Not for operators, so hidden.
 * <p>
 * It does what a device does after a start, in a folder of its own: runs {@code voltis-agent run
 * --config FILE} (a Git repo made here with one templated file and one process service, the process
 * runtime, the API on 127.0.0.1 port 0), waits until the device is Synced, reads status, metrics and
 * the status page as a dashboard would, then stops the daemon with SIGTERM, the way systemd does.
 * The JVM that runs it with {@code -XX:ArchiveClassesAtExit} then writes every class this loaded.
 * With {@code --dir DIR} the folder is kept, so a second run there is a restart of that device (no
 * migration: the launcher records that one); without, a temporary folder is used and deleted.
 * Touches nothing outside its folder: no unit, no state of the real agent.
 */
@Command(name = "training", hidden = true,
        description = "Run the agent briefly on a throwaway repo, as the class-data archive's training run.")
final class TrainingCommand implements Callable<Integer> {

    static final String HOST = "training";
    /** How long the throwaway device may take to be Synced before the run is cut short (it still counts). */
    static final Duration SYNCED_WITHIN = Duration.ofSeconds(60);

    @CommandLine.Option(names = "--dir", paramLabel = "DIR",
            description = "Run in DIR and keep it: a second run there restarts the device (default: a temp folder, deleted).")
    Path dir;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path home = dir != null ? dir.toAbsolutePath() : Files.createTempDirectory("voltis-training-");
        try {
            Path config = home.resolve("agent.yaml");
            if (!Files.isRegularFile(config)) {
                Files.createDirectories(home);
                prepare(home);
            }
            AtomicInteger runExit = new AtomicInteger(-1);
            Thread run = new Thread(() -> runExit.set(Main.execute(new String[] {"run", "--config", config.toString()},
                    new PrintWriter(System.out, true), new PrintWriter(System.err, true))), "voltis-training-run");
            run.start();
            boolean synced = awaitSynced(home.resolve("state"), run);
            if (run.isAlive()) {
                Signal.raise(new Signal("TERM"));
            }
            run.join(Duration.ofSeconds(60).toMillis());
            if (run.isAlive()) {
                out.println("training: the agent did not stop within 60 s");
                return Main.FAILED;
            }
            out.println("training: the agent ran" + (synced ? " until Synced" : " (not Synced within "
                    + SYNCED_WITHIN.toSeconds() + " s)") + " and stopped with exit " + runExit.get());
            return runExit.get() == Main.OK ? Main.OK : Main.FAILED;
        } finally {
            if (dir == null) {
                deleteTree(home);
            }
        }
    }

    /** The throwaway repo, root and state under {@code home}; returns the config file. */
    private static Path prepare(Path home) throws Exception {
        Path contents = home.resolve("contents");
        Files.createDirectories(contents.resolve("devices"));
        Files.createDirectories(contents.resolve("workloads/training/files"));
        Files.writeString(contents.resolve("devices/" + HOST + ".yaml"), "workload: training\nvars: {greeting: hello}\n");
        Files.writeString(contents.resolve("workloads/training/files/greeting.txt"), "greeting=${greeting}\n");
        Files.writeString(contents.resolve("workloads/training/workload.yaml"), String.join("\n",
                "apiVersion: voltis/v1",
                "files:",
                "  - {source: files/greeting.txt, target: etc/training/greeting.txt, template: true}",
                "services:",
                "  - {name: sleeper, command: [sh, -c, \"exec sleep 100000\"]}",
                ""));
        LocalRepos.initFrom(contents, home.resolve("repo"), "training");
        Path config = home.resolve("agent.yaml");
        Files.writeString(config, String.join("\n",
                "repo: " + home.resolve("repo").toUri(),
                "hostname: " + HOST,
                "interval: 1s",
                "reconcile-interval: 1s",
                "runtime: process",
                "listen: 127.0.0.1:0",
                "state-dir: " + home.resolve("state"),
                "root: " + home.resolve("root"),
                ""), StandardCharsets.UTF_8);
        return config;
    }

    /** Waits for the device to be Synced, reading the API as dashboards do on the way. */
    private static boolean awaitSynced(Path state, Thread run) throws InterruptedException {
        long deadline = System.nanoTime() + SYNCED_WITHIN.toNanos();
        while (System.nanoTime() < deadline && run.isAlive()) {
            String base = ApiAddress.read(state).orElse(null);
            if (base != null) {
                try {
                    URI api = URI.create(base);
                    String status = get(api, "/api/v1/status");
                    if (status.contains("\"phase\" : \"Synced\"")) {
                        get(api, "/metrics");
                        get(api, "/");
                        get(api, "/readyz");
                        return true;
                    }
                } catch (IOException e) {
                    // not answering yet
                }
            }
            Thread.sleep(100);
        }
        return false;
    }

    /**
     * One GET over a plain socket, the whole answer as text. Not Java's HTTP client: the daemon
     * never loads it, and the archive should hold what the daemon loads.
     */
    private static String get(URI api, String path) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(api.getHost(), api.getPort()), 2000);
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + api.getHost() + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // a temp folder left behind is harmless
        }
    }
}
