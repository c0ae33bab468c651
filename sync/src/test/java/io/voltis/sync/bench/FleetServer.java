package io.voltis.sync.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.voltis.sync.testing.GitHttpServer;
import io.voltis.sync.testing.TestRepo;

/**
 * The Git server of the fleet benchmark, in a process of its own so that its CPU can be read
 * from {@code /proc/<pid>/stat} apart from the agents'. {@link FleetBench} starts it. Not a test.
 *
 * <p>Protocol, one line each on stdout (NOTE: {@link FleetBench} parses these):
 * {@code url URL} once when serving; {@code tick EPOCH_MILLIS REQUESTS BYTES} every second
 * (cumulative counts at the server); {@code committed EPOCH_MILLIS SHA} after each {@code commit}
 * line read on stdin. End of stdin stops the server.
 *
 * <pre>java -cp ... io.voltis.sync.bench.FleetServer WORKDIR</pre>
 */
public final class FleetServer {

    private FleetServer() {
    }

    public static void main(String[] args) throws Exception {
        try (TestRepo origin = TestRepo.create(Path.of(args[0]).resolve("origin.git"));
             GitHttpServer http = GitHttpServer.open(origin)) {
            origin.commit("fleet", fleetRepo());
            say("url " + http.url());
            ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "fleet-server-ticker");
                t.setDaemon(true);
                return t;
            });
            long firstTick = 1000 - System.currentTimeMillis() % 1000; // on whole wall-clock seconds
            ticker.scheduleAtFixedRate(() -> say("tick " + System.currentTimeMillis() + " " + http.requestCount()
                    + " " + http.bytesSent()), firstTick, 1000, TimeUnit.MILLISECONDS);
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            int commits = 0;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.equals("commit")) {
                    commits++;
                    String sha = origin.commit("fleet change " + commits,
                            Map.of("workloads/wl-3/files/app.conf", "port=${port}\nchange=" + commits + "\n"));
                    say("committed " + System.currentTimeMillis() + " " + sha);
                }
            }
            ticker.shutdownNow();
        }
    }

    /**
     * A small fleet repo (20 workloads, 200 devices): each agent's first, shallow fetch stays
     * cheap, so that the warm-up measures the server and not the size of the repo.
     */
    static Map<String, String> fleetRepo() {
        Map<String, String> files = new HashMap<>();
        for (int w = 0; w < 20; w++) {
            files.put("workloads/wl-" + w + "/workload.yaml", "apiVersion: voltis/v1\n"
                    + "files:\n  - {source: files/app.conf, target: etc/wl-" + w + "/app.conf, template: true}\n"
                    + "services:\n  - {name: app, command: [sh, -c, \"exec sleep 1000 ${port}\"]}\n");
            files.put("workloads/wl-" + w + "/files/app.conf", "port=${port}\n");
        }
        for (int d = 0; d < 200; d++) {
            files.put("devices/edge-" + d + ".yaml", "workload: wl-" + (d % 20) + "\nvars: {port: \"" + (8000 + d) + "\"}\n");
        }
        return files;
    }

    private static synchronized void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
