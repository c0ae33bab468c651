package io.voltis.agent.api;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;

import io.undertow.server.handlers.sse.ServerSentEventConnection;

/**
 * One Server-Sent Events client and the messages it has not taken yet. Undertow queues what a
 * client does not read without limit; a client that stops reading (but keeps its socket open)
 * is closed at {@link #MAX_UNSENT} rather than buffered for until the agent runs out of memory.
 */
final class SseClient {

    /** NOTE: docs/api.md names this bound. */
    static final int MAX_UNSENT = 1000;

    final ServerSentEventConnection connection;
    private final AtomicInteger unsent = new AtomicInteger();

    SseClient(ServerSentEventConnection connection) {
        this.connection = connection;
    }

    void send(String data, String id) {
        if (!connection.isOpen()) {
            return;
        }
        if (unsent.incrementAndGet() > MAX_UNSENT) {
            close();
            return;
        }
        connection.send(data, null, id, new ServerSentEventConnection.EventCallback() {
            @Override
            public void done(ServerSentEventConnection c, String d, String e, String i) {
                unsent.decrementAndGet();
            }

            @Override
            public void failed(ServerSentEventConnection c, String d, String e, String i, IOException x) {
                unsent.decrementAndGet();
            }
        });
    }

    boolean isOpen() {
        return connection.isOpen();
    }

    void close() {
        try {
            connection.close();
        } catch (IOException e) {
            // gone already
        }
    }
}
