package io.voltis.sync.store;

import static org.assertj.core.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real second JVM running {@link StoreProcessMain}. Every wait has a deadline and polls for
 * an answer; a failure shows the child's stderr.
 */
final class StoreProcess implements AutoCloseable {

    /** Generous: a JVM start on a busy two-core machine. Never a timing assertion. */
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    private final Process process;
    private final Path stderr;
    private final Writer stdin;
    private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();

    private StoreProcess(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(this::readAnswers, "store-process-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code owner} or {@code client} on {@code stateDir}; returns once it printed its first line. */
    static StoreProcess start(Path stateDir, String mode, Path workDir) throws IOException {
        Path stderr = Files.createTempFile(workDir, "store-process-", ".err");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), StoreProcessMain.class.getName(), stateDir.toString(), mode)
                .redirectError(stderr.toFile())
                .start();
        return new StoreProcess(process, stderr);
    }

    private void readAnswers() {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith("@")) {
                    answers.add(line.substring(1));
                }
            }
        } catch (IOException e) {
            answers.add("error reading the child's stdout: " + e);
        }
    }

    /** The next protocol line, which must start with {@code expected}; returns the rest of it. */
    String expect(String expected) throws InterruptedException {
        String line = answers.poll(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        if (line == null) {
            fail("no answer '" + expected + "' from the child within " + DEADLINE + " (alive: " + process.isAlive()
                    + ")\n" + stderr());
        }
        if (!line.startsWith(expected)) {
            fail("the child answered '" + line + "' instead of '" + expected + "...'\n" + stderr());
        }
        return line.substring(expected.length()).trim();
    }

    String ask(String command, String expected) throws IOException, InterruptedException {
        stdin.write(command + "\n");
        stdin.flush();
        return expect(expected);
    }

    /** Closes stdin, as a daemon asked to stop; returns the exit code. */
    int stop() throws IOException, InterruptedException {
        stdin.close();
        return waitForExit();
    }

    /** kill -9; returns the exit code. */
    int kill() throws InterruptedException {
        process.destroyForcibly();
        return waitForExit();
    }

    private int waitForExit() throws InterruptedException {
        if (!process.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
            fail("the child did not exit within " + DEADLINE + "\n" + stderr());
        }
        return process.exitValue();
    }

    String stderr() {
        try {
            return "child stderr:\n" + Files.readString(stderr);
        } catch (IOException e) {
            return "child stderr unreadable: " + e;
        }
    }

    /** Kills the child if a test left it running. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
