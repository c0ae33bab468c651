package io.voltis.sync.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The benchmark's handle on a {@link FleetServer} child process: its URL, the per-second counts
 * it prints, its CPU time from {@code /proc/<pid>/stat}, and a way to push a commit.
 */
final class FleetServerProcess implements FleetGitServer {

    private final Process process;
    private final Writer stdin;
    private final List<Sample> ticks = new ArrayList<>();
    private final LinkedBlockingQueue<String> commits = new LinkedBlockingQueue<>();
    private final CompletableFuture<String> url = new CompletableFuture<>();
    private final long clockTicksPerSecond;

    private FleetServerProcess(Process process, long clockTicksPerSecond) {
        this.process = process;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        this.clockTicksPerSecond = clockTicksPerSecond;
        Thread reader = new Thread(this::readStdout, "fleet-server-reader");
        reader.setDaemon(true);
        reader.start();
    }

    static FleetServerProcess start(Path work, List<String> jvmOptions) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), FleetServer.class.getName(), work.toString()));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        FleetServerProcess server = new FleetServerProcess(p, clockTicks());
        server.url.get(60, TimeUnit.SECONDS);
        return server;
    }

    @Override
    public String describe() {
        return "JGit smart HTTP (servlet) in a JVM of its own";
    }

    @Override
    public String url() {
        return url.join();
    }

    long pid() {
        return process.pid();
    }

    /** Pushes one commit; returns {epoch millis when it was on the branch, sha}. */
    @Override
    public String[] commit() throws Exception {
        stdin.write("commit\n");
        stdin.flush();
        String line = commits.poll(60, TimeUnit.SECONDS);
        if (line == null) {
            throw new IllegalStateException("the fleet server did not commit within 60 s");
        }
        return line.split(" ");
    }

    /** The per-second readings so far. */
    @Override
    public synchronized List<Sample> ticks() {
        return List.copyOf(ticks);
    }

    /** User + system CPU time of the server process so far, in milliseconds. */
    @Override
    public long cpuMillis() {
        try {
            String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long clockTicks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime (fields 14, 15)
            return clockTicks * 1000 / clockTicksPerSecond;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the server's CPU time: " + e.getMessage(), e);
        }
    }

    private void readStdout() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                String[] f = line.split(" ");
                switch (f[0]) {
                    case "url" -> url.complete(f[1]);
                    case "tick" -> addTick(new Sample(Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3])));
                    case "committed" -> commits.add(f[1] + " " + f[2]);
                    default -> System.err.println("fleet server: " + line);
                }
            }
        } catch (IOException e) {
            System.err.println("fleet: lost the server's output: " + e.getMessage());
        }
        url.completeExceptionally(new IllegalStateException("the fleet server exited before serving"));
    }

    private synchronized void addTick(Sample sample) {
        ticks.add(sample);
    }

    static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return p.waitFor() == 0 ? Long.parseLong(out) : 100;
        } catch (IOException | NumberFormatException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }

    /** Closes the server's stdin (it stops) and waits for it; kills it after 30 s. */
    @Override
    public void close() throws Exception {
        try {
            stdin.close();
        } catch (IOException e) {
            // already gone
        }
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
