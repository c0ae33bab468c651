package io.voltis.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code voltis-agent demo} as the README's first command runs it, from the checkout: the
 * example's web service answers on its port (18080, from examples/repo-layout/devices/demo.yaml),
 * a commit in the demo's repo is applied, and a taken port is one clear error.
 */
class DemoJarIT {

    private static final Path JAR = Fixtures.projectRoot().resolve("cli/target/voltis-agent.jar");
    private static final int PORT = 18080;
    private static final int API_PORT = 9740;

    @TempDir
    Path tmp;

    private ProcessBuilder demo() {
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                JAR.toString(), "demo", "--dir", tmp.resolve("demo").toString())
                .directory(Fixtures.projectRoot().toFile());
    }

    private static String get() {
        return get(PORT, "/");
    }

    private static String get(int port, String path) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body() : "";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    @Test
    void demo_servesTheGreeting_andAppliesACommit() throws Exception {
        Process p = demo().redirectErrorStream(true).redirectOutput(tmp.resolve("demo.log").toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(90)).until(() -> get().startsWith("Hello from the Voltis demo!"));
            assertThat(Files.readString(tmp.resolve("demo.log"))).contains("Next:").contains("curl http://127.0.0.1:18080/");

            Path device = tmp.resolve("demo/repo/devices/demo.yaml");
            Files.writeString(device, Files.readString(device).replace("Hello from the Voltis demo!", "Hello, pushed!"));
            Process commit = new ProcessBuilder("git", "commit", "-qam", "new greeting").directory(tmp.resolve("demo/repo").toFile())
                    .redirectErrorStream(true).start();
            assertThat(commit.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(commit.exitValue()).as(new String(commit.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();

            await().atMost(Duration.ofSeconds(60)).until(() -> get().startsWith("Hello, pushed!"));
            String head = new String(new ProcessBuilder("git", "rev-parse", "HEAD").directory(tmp.resolve("demo/repo").toFile())
                    .start().getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            await().atMost(Duration.ofSeconds(30)).until(() -> get(API_PORT, "/api/v1/status")
                    .contains("\"appliedRevision\" : \"" + head + "\""));
            assertThat(get(API_PORT, "/")).contains("<title>Voltis agent</title>");
            assertThat(Files.readString(tmp.resolve("demo.log"))).contains("status page http://127.0.0.1:9740/");
        } finally {
            p.destroy();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void demo_whenItsPortIsTaken_exits1WithOneLine() throws Exception {
        try (ServerSocket taken = new ServerSocket(PORT, 1, InetAddress.getLoopbackAddress())) {
            Process p = demo().start();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();

            assertThat(p.exitValue()).isEqualTo(1);
            assertThat(err).isEqualTo("demo: port 18080 on 127.0.0.1 is in use, and the demo's web service needs it:"
                    + " stop what listens there (a demo already running?) and try again\n");
            assertThat(tmp.resolve("demo/repo")).doesNotExist();
        }
    }

    @Test
    void demo_whenTheStatusApiPortIsTaken_exits1WithOneLine() throws Exception {
        try (ServerSocket taken = new ServerSocket(API_PORT, 1, InetAddress.getLoopbackAddress())) {
            Process p = demo().start();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();

            assertThat(p.exitValue()).isEqualTo(1);
            assertThat(err).isEqualTo("demo: port 9740 on 127.0.0.1 is in use, and the status page needs it:"
                    + " stop what listens there (a demo already running?) and try again\n");
        }
    }
}
