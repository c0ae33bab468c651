package io.voltis.agent.runtime.health;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * GET on a URL; 2xx and 3xx are healthy, any other status fails with {@code HTTP <code>}. The
 * whole exchange, connect included, is bounded by the timeout.
 */
final class HttpProbe implements HealthProbe {

    private final URI uri;
    private final Duration timeout;
    private final HttpClient client;

    HttpProbe(URI uri, Duration timeout) {
        String scheme = uri.getScheme();
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            throw new IllegalArgumentException("health check URL must be http or https: " + uri);
        }
        this.uri = uri;
        this.timeout = timeout;
        this.client = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .proxy(HttpClient.Builder.NO_PROXY)
                .build();
    }

    @Override
    public Result check() {
        HttpRequest request = HttpRequest.newBuilder(uri).GET().timeout(timeout)
                .header("User-Agent", "voltis-agent health check").build();
        CompletableFuture<HttpResponse<Void>> response = client.sendAsync(request, HttpResponse.BodyHandlers.discarding());
        try {
            int code = response.get(timeout.toMillis(), TimeUnit.MILLISECONDS).statusCode();
            return code >= 200 && code < 400 ? Result.healthy() : Result.failed("HTTP " + code);
        } catch (InterruptedException e) {
            response.cancel(true);
            Thread.currentThread().interrupt();
            return Result.failed("interrupted");
        } catch (ExecutionException e) {
            response.cancel(true);
            return Result.failed(Reasons.of(e.getCause() == null ? e : e.getCause(), timeout));
        } catch (TimeoutException e) {
            response.cancel(true);
            return Result.failed(Reasons.timedOut(timeout));
        }
    }

    @Override
    public String target() {
        return "GET " + uri;
    }
}
