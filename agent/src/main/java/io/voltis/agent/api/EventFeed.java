package io.voltis.agent.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;

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
 * second, and runs only while someone follows ({@link WhileFollowed}); a client that goes away is dropped at the next write
 * or keep-alive.
 */
final class EventFeed {

    private static final Logger LOG = LoggerFactory.getLogger(EventFeed.class);

    private final RevisionStore store;
    private final long keepAliveMillis;
    /** Each follower and the id of the last event it was sent. */
    private final Map<ServerSentEventConnection, Follower> clients = new ConcurrentHashMap<>();
    private final FollowerSlots slots;
    private final WhileFollowed ticker;

    private static final class Follower {
        final SseClient client;
        final AtomicLong sent;

        Follower(SseClient client, long sent) {
            this.client = client;
            this.sent = new AtomicLong(sent);
        }
    }

    EventFeed(RevisionStore store, ScheduledExecutorService timer, int maxClients, long keepAliveMillis, long pollMillis) {
        this.store = store;
        this.keepAliveMillis = keepAliveMillis;
        this.slots = new FollowerSlots(maxClients);
        this.ticker = new WhileFollowed(timer, this::publish, pollMillis, () -> !clients.isEmpty());
    }

    int clients() {
        return clients.size();
    }

    /**
     * Called on a worker thread: the backlog is read here, not on the IO thread that runs the
     * connection callback.
     *
     * @return false when full (the caller answers 503)
     */
    boolean follow(HttpServerExchange ex, int backlog) throws Exception {
        FollowerSlots.Slot slot = slots.take();
        if (slot == null) {
            return false;
        }
        List<Event> first;
        long newest;
        try {
            first = since(parse(ex.getRequestHeaders().getFirst("Last-Event-ID")), backlog);
            newest = first.isEmpty() ? newestId() : first.get(first.size() - 1).id();
        } catch (RuntimeException e) {
            slot.release();
            throw e;
        }
        slot.releaseWhenDone(ex);
        new ServerSentEventHandler((connection, lastEventId) -> {
            connection.setKeepAliveTime(keepAliveMillis);
            Follower f = new Follower(new SseClient(connection), newest);
            connection.addCloseTask(c -> {
                clients.remove(c);
                slot.release();
                ticker.changed();
            });
            clients.put(connection, f);
            ticker.changed();
            first.forEach(e -> send(f.client, e));
            if (!connection.isOpen()) {
                clients.remove(connection);
                ticker.changed();
            }
        }).handleRequest(ex);
        return true;
    }

    /** Recorded after {@code afterId} (or the newest {@code backlog} when none), oldest first. */
    private List<Event> since(long afterId, int backlog) {
        if (afterId >= 0) {
            return store.eventsAfter(afterId, 1000);
        }
        List<Event> out = new ArrayList<>(store.events(backlog));
        java.util.Collections.reverse(out);
        return out;
    }

    private void publish() {
        try {
            if (clients.isEmpty()) {
                return;
            }
            if (clients.entrySet().removeIf(e -> !e.getValue().client.isOpen())) {
                ticker.changed();
            }
            if (clients.isEmpty()) {
                return;
            }
            long oldest = clients.values().stream().mapToLong(f -> f.sent.get()).min().orElse(Long.MAX_VALUE);
            List<Event> fresh = since(oldest, 0);
            if (fresh.isEmpty()) {
                return;
            }
            clients.forEach((c, f) -> {
                for (Event e : fresh) {
                    if (e.id() > f.sent.get()) {
                        send(f.client, e);
                        f.sent.set(e.id());
                    }
                }
            });
        } catch (RuntimeException e) {
            LOG.warn("event feed: {}", e.getMessage());
        }
    }

    private long newestId() {
        List<Event> newest = store.events(1);
        return newest.isEmpty() ? 0 : newest.get(0).id();
    }

    private static void send(SseClient c, Event e) {
        c.send(Responses.COMPACT.writeValueAsString(e), String.valueOf(e.id()));
    }

    private static long parse(String lastEventId) {
        try {
            return lastEventId == null ? -1 : Long.parseLong(lastEventId.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
