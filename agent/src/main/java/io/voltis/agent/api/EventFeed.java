package io.voltis.agent.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.sse.ServerSentEventConnection;
import io.undertow.server.handlers.sse.ServerSentEventHandler;
import io.voltis.sync.store.Event;
import io.voltis.sync.store.RevisionStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /api/v1/events?follow=true}: the recent events, then each new one as it is recorded,
 * as Server-Sent Events with the event id as SSE id (a client that reconnects with
 * {@code Last-Event-ID} misses nothing the store still keeps). One timer reads the store once a
 * second, and only while someone follows; a client that goes away is dropped at the next write
 * or keep-alive.
 */
final class EventFeed {

    private static final Logger LOG = LoggerFactory.getLogger(EventFeed.class);

    private final RevisionStore store;
    private final int maxClients;
    private final long keepAliveMillis;
    private final Set<ServerSentEventConnection> clients = ConcurrentHashMap.newKeySet();
    private volatile long lastId;

    EventFeed(RevisionStore store, ScheduledExecutorService timer, int maxClients, long keepAliveMillis, long pollMillis) {
        this.store = store;
        this.maxClients = maxClients;
        this.keepAliveMillis = keepAliveMillis;
        List<Event> newest = store.events(1);
        this.lastId = newest.isEmpty() ? 0 : newest.get(0).id();
        timer.scheduleWithFixedDelay(this::publish, pollMillis, pollMillis, TimeUnit.MILLISECONDS);
    }

    int clients() {
        return clients.size();
    }

    /** @return false when full (the caller answers 503) */
    boolean follow(HttpServerExchange ex, int backlog) throws Exception {
        if (clients.size() >= maxClients) {
            return false;
        }
        new ServerSentEventHandler((connection, lastEventId) -> {
            connection.setKeepAliveTime(keepAliveMillis);
            clients.add(connection);
            connection.addCloseTask(clients::remove);
            for (Event e : since(parse(lastEventId), backlog)) {
                send(connection, e);
            }
        }).handleRequest(ex);
        return true;
    }

    /** Recorded after {@code afterId} (or the newest {@code backlog} when none), oldest first. */
    private List<Event> since(long afterId, int backlog) {
        List<Event> newestFirst = store.events(afterId < 0 ? backlog : 1000);
        List<Event> out = new ArrayList<>();
        for (int i = newestFirst.size() - 1; i >= 0; i--) {
            if (newestFirst.get(i).id() > afterId) {
                out.add(newestFirst.get(i));
            }
        }
        return out;
    }

    private void publish() {
        try {
            if (clients.isEmpty()) {
                return;
            }
            List<Event> fresh = since(lastId, 0);
            if (fresh.isEmpty()) {
                return;
            }
            lastId = fresh.get(fresh.size() - 1).id();
            for (ServerSentEventConnection c : clients) {
                fresh.forEach(e -> send(c, e));
            }
        } catch (RuntimeException e) {
            LOG.warn("event feed: {}", e.getMessage());
        }
    }

    private static void send(ServerSentEventConnection c, Event e) {
        if (c.isOpen()) {
            c.send(Responses.COMPACT.writeValueAsString(EventView.of(e)), null, String.valueOf(e.id()), null);
        }
    }

    private static long parse(String lastEventId) {
        try {
            return lastEventId == null ? -1 : Long.parseLong(lastEventId.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** One event as the API shows it. */
    record EventView(long id, java.time.Instant at, String type, String revision, String message) {
        static EventView of(Event e) {
            return new EventView(e.id(), e.at(), e.type(), e.revision(), e.message());
        }
    }
}
