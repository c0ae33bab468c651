package io.voltis.agent.api;

import java.net.InetSocketAddress;
import java.util.concurrent.ScheduledExecutorService;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import org.xnio.Options;

/**
 * The status API's HTTP server (docs/api.md). Bounded: request headers to 16 KiB, 50 headers and
 * 50 query parameters, no request body, 10 s to send a request, idle connections closed after
 * 60 s; at most {@link Settings#maxEventClients} event followers and
 * {@link Settings#maxLogClients} log followers (more get 503), each closed when it leaves
 * {@link SseClient#MAX_UNSENT} messages unread; connections capped at the followers plus 100.
 */
public final class ApiServer implements AutoCloseable {

    /**
     * @param token            the bearer token reads require, or null (loopback only; checked by the config)
     * @param keepAliveMillis  how often a quiet SSE stream sends a comment (this is how a vanished client is noticed)
     */
    public record Settings(String host, int port, TokenFile token, int maxEventClients, int maxLogClients,
                           long keepAliveMillis) {

        public static Settings of(String host, int port, TokenFile token) {
            return new Settings(host, port, token, 1000, 64, 15_000);
        }
    }

    private final Undertow server;
    private final ScheduledExecutorService timer;
    private final ApiHandler handler;
    private java.nio.file.Path published;

    private ApiServer(Undertow server, ScheduledExecutorService timer, ApiHandler handler) {
        this.server = server;
        this.timer = timer;
        this.handler = handler;
    }

    /** Writes {@code <stateDir>/api} so {@code voltis-agent} commands find this server; removed at {@link #close}. */
    public void publishTo(java.nio.file.Path stateDir, String host) {
        ApiAddress.publish(stateDir, host, port());
        published = stateDir;
    }

    /** @throws IllegalStateException with one line when the address cannot be bound */
    public static ApiServer start(Settings settings, ApiSources sources) {
        java.util.concurrent.ScheduledThreadPoolExecutor timer = new java.util.concurrent.ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "voltis-api-feeds");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true); // a feed nobody follows leaves nothing queued: its thread sleeps
        ApiHandler handler = new ApiHandler(sources, settings.token(),
                new EventFeed(sources.store(), timer, settings.maxEventClients(), settings.keepAliveMillis(), 1000),
                new LogFeed(sources.logs(), timer, settings.maxLogClients(), settings.keepAliveMillis(), 500));
        Undertow server = Undertow.builder()
                .addHttpListener(settings.port(), settings.host())
                .setIoThreads(2)
                .setWorkerThreads(4)
                .setServerOption(UndertowOptions.MAX_HEADER_SIZE, 16 * 1024)
                .setServerOption(UndertowOptions.MAX_HEADERS, 50)
                .setServerOption(UndertowOptions.MAX_PARAMETERS, 50)
                .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, 0L)
                .setServerOption(UndertowOptions.REQUEST_PARSE_TIMEOUT, 10_000)
                .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, 60_000)
                .setServerOption(UndertowOptions.ALLOW_ENCODED_SLASH, false)
                .setSocketOption(Options.REUSE_ADDRESSES, true)
                // at most this many open connections (followers included): the rest wait in the backlog
                .setSocketOption(Options.CONNECTION_HIGH_WATER, settings.maxEventClients() + settings.maxLogClients() + 100)
                .setSocketOption(Options.CONNECTION_LOW_WATER, settings.maxEventClients() + settings.maxLogClients() + 50)
                .setHandler(handler)
                .build();
        try {
            NoJmx.run(server::start);
        } catch (RuntimeException e) {
            timer.shutdownNow();
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("cannot listen on " + settings.host() + ":" + settings.port() + ": "
                    + cause.getMessage(), e);
        }
        return new ApiServer(server, timer, handler);
    }

    /** How many feed timers are scheduled: none while nobody follows a feed (tests). */
    int feedTimers() {
        return ((java.util.concurrent.ScheduledThreadPoolExecutor) timer).getQueue().size();
    }

    /** The port bound (the one asked for, or the one picked for 0). */
    public int port() {
        return ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
    }

    /** Followers of the event and log streams, for tests and metrics. */
    int followers() {
        return handler.followers();
    }

    @Override
    public void close() {
        if (published != null) {
            ApiAddress.withdraw(published);
        }
        timer.shutdownNow();
        server.stop();
    }
}
