package io.voltis.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import io.voltis.agent.api.ApiAddress;
import io.voltis.agent.config.AgentConfig;

/**
 * The running daemon, reached through the status API address it publishes in the state
 * directory; with the API's token when the config names one this user can read.
 */
final class DaemonApi {

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final String base;
    private final String token;

    private DaemonApi(String base, String token) {
        this.base = base;
        this.token = token;
    }

    /** The daemon, if one runs for this state directory and answers. */
    static Optional<DaemonApi> find(AgentConfig config) {
        Optional<String> base = ApiAddress.read(config.stateDir());
        if (base.isEmpty()) {
            return Optional.empty();
        }
        String token = null;
        if (config.apiTokenFile() != null) {
            try {
                token = Files.readString(config.apiTokenFile(), StandardCharsets.UTF_8).lines().findFirst().orElse("").strip();
            } catch (IOException e) {
                token = null; // not ours to read: the store still answers
            }
        }
        DaemonApi api = new DaemonApi(base.get(), token);
        try {
            int code = api.get("/healthz", Duration.ofSeconds(2)).statusCode();
            return code == 200 || code == 503 ? Optional.of(api) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The one-line error of an answer that was not what was asked for. */
    static String errorLine(String body, int status) {
        try {
            return Json.read(body).path("error").asString("the daemon answered " + status);
        } catch (RuntimeException e) {
            return "the daemon answered " + status;
        }
    }

    String base() {
        return base;
    }

    HttpResponse<String> get(String path, Duration timeout) throws IOException {
        try {
            return client.send(request(path, timeout), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** A POST with a JSON body (the check-now hint). */
    HttpResponse<String> postJson(String path, String json, Duration timeout) throws IOException {
        HttpRequest r = HttpRequest.newBuilder(request(path, timeout), (k, v) -> true)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build();
        try {
            return client.send(r, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    HttpResponse<java.util.stream.Stream<String>> stream(String path) throws IOException {
        try {
            return client.send(request(path, null), HttpResponse.BodyHandlers.ofLines());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private HttpRequest request(String path, Duration timeout) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
        if (timeout != null) {
            b.timeout(timeout);
        }
        if (token != null && !token.isEmpty()) {
            b.header("Authorization", "Bearer " + token);
        }
        return b.build();
    }
}
