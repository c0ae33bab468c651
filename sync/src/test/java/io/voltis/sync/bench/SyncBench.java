package io.voltis.sync.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.voltis.model.CronCheck;
import io.voltis.model.HostResolver;
import io.voltis.sync.Preparation;
import io.voltis.sync.Preparer;
import io.voltis.sync.Poller;
import io.voltis.sync.Unpacker;
import io.voltis.sync.git.GitCredentials;
import io.voltis.sync.git.GitMirror;
import io.voltis.sync.git.GitSourceSpec;
import io.voltis.sync.store.RevisionStore;
import io.voltis.sync.testing.GitHttpServer;
import io.voltis.sync.testing.TestRepo;

/**
 * The sync side's figures (bench/sync.sh runs this). Prints one "key value" line per figure;
 * the script adds the `git` baselines measured in the same run. Not a test.
 *
 * <pre>java -cp ... io.voltis.sync.bench.SyncBench WORKDIR poll|resolve|fetch</pre>
 */
public final class SyncBench {

    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        switch (args[1]) {
            case "poll" -> poll(work);
            case "resolve" -> resolve(work);
            case "fetch" -> fetch(work);
            default -> throw new IllegalArgumentException(args[1]);
        }
    }

    /** CPU time of one no-change poll, in-process, vs a `git ls-remote` process; file:// and smart HTTP. */
    private static void poll(Path work) throws Exception {
        try (TestRepo origin = TestRepo.create(work.resolve("poll-origin.git"))) {
            origin.commit("one", Map.of("devices/d.yaml", "workload: w\n"));
            pollCpu("file", origin.fileUrl(), work.resolve("poll-file"));
            gitLsRemoteCpu("file", origin.fileUrl());
            try (GitHttpServer http = GitHttpServer.open(origin)) {
                pollCpu("http", http.url(), work.resolve("poll-http"));
                gitLsRemoteCpu("http", http.url());
            }
        }
    }

    /** User + system CPU of {@code git ls-remote URL refs/heads/main}, per call, over 50 calls. */
    private static void gitLsRemoteCpu(String name, String url) throws Exception {
        int runs = 50;
        String script = "TIMEFORMAT='%3U %3S'; time (for i in $(seq " + runs + "); do git ls-remote '" + url
                + "' refs/heads/main >/dev/null || exit 1; done)";
        Process p = new ProcessBuilder("bash", "-c", script).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(p.getErrorStream().readAllBytes()).strip();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("git ls-remote failed: " + err);
        }
        String[] last = err.lines().reduce((a, b) -> b).orElseThrow().split(" ");
        double cpuSeconds = Double.parseDouble(last[0]) + Double.parseDouble(last[1]);
        System.out.printf("git_ls_remote_%s_cpu_us %.1f%n", name, cpuSeconds * 1e6 / runs);
    }

    private static void pollCpu(String name, String url, Path state) throws Exception {
        try (RevisionStore store = RevisionStore.openOwner(state, Clock.systemUTC());
             GitMirror mirror = GitMirror.open(state.resolve("mirror"), state.resolve("ssh"),
                     new GitSourceSpec(url, "main", "", GitCredentials.NONE))) {
            Poller poller = new Poller(mirror, store, Clock.systemUTC(), Duration.ofMinutes(10));
            poller.poll();
            int warm = name.equals("file") ? 20_000 : 2_000;
            int runs = name.equals("file") ? 20_000 : 2_000;
            for (int i = 0; i < warm; i++) {
                poller.poll();
            }
            long cpu0 = CPU.getCurrentThreadCpuTime();
            long wall0 = System.nanoTime();
            for (int i = 0; i < runs; i++) {
                if (!poller.poll().ok()) {
                    throw new IllegalStateException("poll failed");
                }
            }
            long cpu = CPU.getCurrentThreadCpuTime() - cpu0;
            long wall = System.nanoTime() - wall0;
            System.out.printf("poll_%s_cpu_us %.1f%n", name, cpu / 1000.0 / runs);
            System.out.printf("poll_%s_wall_us %.1f%n", name, wall / 1000.0 / runs);
        }
    }

    /** Wall time of resolve + unpack of one device, in repos of 10, 1,000 and 10,000 devices. */
    private static void resolve(Path work) throws Exception {
        resolveIn(work, "small", 10, 10);
        resolveIn(work, "medium", 1_000, 100);
        resolveIn(work, "large", 10_000, 1_000);
    }

    private static void resolveIn(Path work, String name, int devices, int workloads) throws Exception {
        Map<String, String> files = new HashMap<>();
        for (int w = 0; w < workloads; w++) {
            files.put("workloads/wl-" + w + "/workload.yaml", "apiVersion: voltis/v1\n"
                    + "files:\n  - {source: files/app.conf, target: etc/wl-" + w + "/app.conf, template: true}\n"
                    + "services:\n  - {name: app, command: [sh, -c, \"exec sleep 1000 ${port}\"]}\n"
                    + "jobs:\n  - {name: migrate, run: [sh, scripts/migrate.sh], when: per-revision}\n");
            files.put("workloads/wl-" + w + "/files/app.conf", "port=${port}\n");
            files.put("workloads/wl-" + w + "/scripts/migrate.sh", "#!/bin/sh\necho migrated\n");
        }
        for (int d = 0; d < devices; d++) {
            files.put("devices/edge-" + d + ".yaml", "workload: wl-" + (d % workloads) + "\nvars: {port: \"" + (8000 + d % 1000) + "\"}\n");
        }
        try (TestRepo origin = TestRepo.create(work.resolve(name + "-origin.git"))) {
            String head = origin.commit(name, files);
            Path state = work.resolve(name + "-state");
            try (RevisionStore store = RevisionStore.openOwner(state, Clock.systemUTC());
                 GitMirror mirror = GitMirror.open(state.resolve("mirror"), state.resolve("ssh"),
                         new GitSourceSpec(origin.fileUrl(), "main", "", GitCredentials.NONE))) {
                new Poller(mirror, store, Clock.systemUTC(), Duration.ofMinutes(10)).poll();
                HostResolver resolver = new HostResolver(CronCheck.LENIENT);
                List<Long> times = new ArrayList<>();
                for (int i = 0; i < 120; i++) {
                    Path revisions = state.resolve("revisions-" + i);
                    Preparer preparer = new Preparer(mirror, store, resolver, new Unpacker(revisions), "edge-7");
                    long t0 = System.nanoTime();
                    Preparation p = preparer.prepare(head);
                    long t = System.nanoTime() - t0;
                    if (!(p instanceof Preparation.Ready)) {
                        throw new IllegalStateException(name + ": " + p);
                    }
                    if (i >= 20) {
                        times.add(t);
                    }
                    delete(revisions);
                }
                times.sort(null);
                System.out.printf("resolve_%s_median_ms %.3f%n", name, times.get(times.size() / 2) / 1e6);
                System.out.printf("resolve_%s_p90_ms %.3f%n", name, times.get(times.size() * 9 / 10) / 1e6);
            }
        }
    }

    /** Bytes the server sends for a one-file change: the agent's fetch vs `git fetch` of the same commit. */
    private static void fetch(Path work) throws Exception {
        try (TestRepo origin = TestRepo.create(work.resolve("fetch-origin.git"))) {
            Map<String, String> files = new HashMap<>();
            for (int i = 0; i < 2_000; i++) {
                files.put("workloads/wl-" + (i % 50) + "/files/f-" + i + ".conf", ("setting-" + i + "=").repeat(40) + "\n");
            }
            files.put("devices/d.yaml", "workload: wl-1\n");
            origin.commit("base", files);
            try (GitHttpServer http = GitHttpServer.open(origin)) {
                Path state = work.resolve("fetch-state");
                Path clone = work.resolve("fetch-git-clone");
                try (RevisionStore store = RevisionStore.openOwner(state, Clock.systemUTC());
                     GitMirror mirror = GitMirror.open(state.resolve("mirror"), state.resolve("ssh"),
                             new GitSourceSpec(http.url(), "main", "", GitCredentials.NONE))) {
                    Poller poller = new Poller(mirror, store, Clock.systemUTC(), Duration.ofMinutes(10));
                    long b0 = http.bytesSent();
                    poller.poll();
                    System.out.println("agent_initial_fetch_bytes " + (http.bytesSent() - b0));
                    long b1 = http.bytesSent();
                    git(work, "clone", "--quiet", "--bare", http.url(), clone.toString());
                    System.out.println("git_clone_bytes " + (http.bytesSent() - b1));

                    String change = origin.commit("one file", Map.of("workloads/wl-7/files/f-7.conf", "changed\n"));
                    long b2 = http.bytesSent();
                    poller.poll();
                    if (!mirror.has(change)) {
                        throw new IllegalStateException("agent did not fetch " + change);
                    }
                    System.out.println("agent_fetch_bytes " + (http.bytesSent() - b2));
                    long b3 = http.bytesSent();
                    git(clone, "fetch", "--quiet", http.url(), "+refs/heads/main:refs/heads/main");
                    System.out.println("git_fetch_bytes " + (http.bytesSent() - b3));
                }
            }
        }
    }

    private static void git(Path dir, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("git"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).inheritIO();
        pb.environment().put("GIT_CONFIG_NOSYSTEM", "1");
        if (pb.start().waitFor() != 0) {
            throw new IllegalStateException("git " + String.join(" ", args) + " failed");
        }
    }

    private static void delete(Path dir) throws java.io.IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
