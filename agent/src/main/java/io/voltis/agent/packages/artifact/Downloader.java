package io.voltis.agent.packages.artifact;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.net.ssl.SSLHandshakeException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.voltis.agent.packages.PackageException;
import io.voltis.agent.packages.artifact.HashingFileSubscriber.Download;

/**
 * Fetches one URL into a temporary file, hashing as it streams, and tries again with
 * exponential backoff when the failure may pass (HTTP 5xx, 408, 429; a refused, reset or
 * timed-out connection). Redirects are followed here (at most 5, never from https to http) so
 * that credentials from the URL's user-info go only to the host they were written for.
 */
final class Downloader {

    private static final Logger LOG = LoggerFactory.getLogger(Downloader.class);
    private static final int MAX_REDIRECTS = 5;

    private final HttpClient http;
    private final ArtifactOptions options;
    private final Sleeper sleeper;

    Downloader(HttpClient http, ArtifactOptions options, Sleeper sleeper) {
        this.http = http;
        this.options = options;
        this.sleeper = sleeper;
    }

    static HttpClient client(ArtifactOptions options) {
        return HttpClient.newBuilder()
                .connectTimeout(options.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    /** Downloads {@code uri} into a new file in {@code dir}; the caller deletes it. */
    Download download(String name, URI uri, Path dir) throws PackageException {
        for (int attempt = 1; ; attempt++) {
            Path part;
            try {
                part = Files.createTempFile(dir, name + "-", ".part");
            } catch (IOException e) {
                throw new PackageException(name + ": cannot write to " + dir + ": " + e.getMessage(), e);
            }
            try {
                return attempt(uri, part);
            } catch (Failure f) {
                deleteQuietly(part);
                if (!f.retryable || attempt >= options.attempts()) {
                    String tries = attempt > 1 ? " (gave up after " + attempt + " attempts)" : "";
                    throw new PackageException(name + ": " + f.getMessage() + tries, f.getCause());
                }
                Duration wait = options.delayBefore(attempt + 1);
                LOG.warn("{}: {}; attempt {} of {} in {} ms", name, f.getMessage(), attempt + 1, options.attempts(),
                        wait.toMillis());
                pause(name, wait);
            } catch (InterruptedException e) {
                deleteQuietly(part);
                Thread.currentThread().interrupt();
                throw new PackageException(name + ": download interrupted", e);
            }
        }
    }

    private Download attempt(URI uri, Path part) throws Failure, InterruptedException {
        URI current = Urls.withoutUserInfo(uri);
        Optional<String> authorization = Urls.basicAuthorization(uri);
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpRequest.Builder request = HttpRequest.newBuilder(current).timeout(options.responseTimeout()).GET();
            if (authorization.isPresent() && sameOrigin(current, uri)) {
                request.header("Authorization", authorization.get());
            }
            HttpResponse<Download> response = send(request.build(), current, part);
            int status = response.statusCode();
            if (status == 200) {
                return response.body();
            }
            Optional<String> location = response.headers().firstValue("Location");
            if (status / 100 == 3 && location.isPresent()) {
                URI next = current.resolve(location.get());
                if ("https".equals(current.getScheme()) && !"https".equals(next.getScheme())) {
                    throw new Failure("redirect from " + Urls.redact(current) + " to " + Urls.redact(next)
                            + " refused: https must not turn into " + next.getScheme(), false, null);
                }
                current = next;
                continue;
            }
            boolean retryable = status >= 500 || status == 408 || status == 429;
            throw new Failure("HTTP " + status + " from " + Urls.redact(current), retryable, null);
        }
        throw new Failure("more than " + MAX_REDIRECTS + " redirects from " + Urls.redact(uri), false, null);
    }

    private HttpResponse<Download> send(HttpRequest request, URI current, Path part)
            throws Failure, InterruptedException {
        CompletableFuture<HttpResponse<Download>> future = http.sendAsync(request, info -> info.statusCode() == 200
                ? new HashingFileSubscriber(part) : HttpResponse.BodySubscribers.replacing(null));
        try {
            return future.get(options.downloadTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new Failure("download from " + Urls.redact(current) + " did not finish within "
                    + human(options.downloadTimeout()), true, e);
        } catch (InterruptedException e) {
            future.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            throw classify(e.getCause(), current);
        }
    }

    private Failure classify(Throwable error, URI current) {
        String url = Urls.redact(current);
        if (error instanceof HashingFileSubscriber.LocalWriteException) {
            return new Failure(error.getMessage(), false, error);
        }
        if (error instanceof HttpConnectTimeoutException) {
            return new Failure("connecting to " + url + " timed out after " + human(options.connectTimeout()), true,
                    error);
        }
        if (error instanceof HttpTimeoutException) {
            return new Failure("no response from " + url + " within " + human(options.responseTimeout()), true, error);
        }
        if (error instanceof SSLHandshakeException) {
            return new Failure("TLS handshake with " + url + " failed: " + innermost(error), false, error);
        }
        if (error instanceof ConnectException) {
            return new Failure("cannot connect to " + url + ": " + whyNotConnected(error), true, error);
        }
        if (error instanceof IOException) {
            return new Failure("download from " + url + " failed: " + innermost(error), true, error);
        }
        return new Failure("download from " + url + " failed: " + error, false, error);
    }

    /** The JDK's ConnectException carries no message; its cause tells what happened. */
    private static String whyNotConnected(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof UnresolvedAddressException) {
                return "host name not found";
            }
            if (t instanceof ClosedChannelException && t.getMessage() == null) {
                return "connection refused";
            }
        }
        return innermost(error);
    }

    private static String human(Duration d) {
        return d.toMillis() < 1000 ? d.toMillis() + "ms" : d.toSeconds() + "s";
    }

    private static String innermost(Throwable error) {
        String message = null;
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t.getMessage() != null) {
                message = t.getMessage();
            }
        }
        return message == null ? error.getClass().getSimpleName() : message.replaceAll("\\p{Cntrl}", " ");
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost())
                && a.getPort() == b.getPort();
    }

    private void pause(String name, Duration wait) throws PackageException {
        try {
            sleeper.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PackageException(name + ": download interrupted", e);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("Cannot delete {}: {}", file, e.getMessage());
        }
    }

    /** One attempt failed; {@code retryable} says whether another may succeed. */
    private static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;
        final boolean retryable;

        Failure(String message, boolean retryable, Throwable cause) {
            super(message, cause);
            this.retryable = retryable;
        }
    }
}
