package io.voltis.agent.api;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;

import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.sse.ServerSentEventConnection;
import io.undertow.server.handlers.sse.ServerSentEventHandler;
import io.voltis.agent.runtime.ServiceLogs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /api/v1/services/{name}/logs?follow=true}: the last lines, then each new line, one SSE
 * message per line. One timer reads every follower's log on from its cursor twice a second.
 */
final class LogFeed {

    private static final Logger LOG = LoggerFactory.getLogger(LogFeed.class);
    private static final int BATCH = 500;

    private final ServiceLogs logs;
    private final long keepAliveMillis;
    private final Map<ServerSentEventConnection, Follower> followers = new ConcurrentHashMap<>();

    private static final class Follower {
        final SseClient client;
        final String service;
        volatile String cursor;

        Follower(SseClient client, String service, String cursor) {
            this.client = client;
            this.service = service;
            this.cursor = cursor;
        }
    }

    private final FollowerSlots slots;
    private final WhileFollowed ticker;

    LogFeed(ServiceLogs logs, ScheduledExecutorService timer, int maxClients, long keepAliveMillis, long pollMillis) {
        this.logs = logs;
        this.keepAliveMillis = keepAliveMillis;
        this.slots = new FollowerSlots(maxClients);
        this.ticker = new WhileFollowed(timer, this::publish, pollMillis, () -> !followers.isEmpty());
    }

    int clients() {
        return followers.size();
    }

    /** @return false when full (the caller answers 503) */
    boolean follow(HttpServerExchange ex, String service, int lines) throws Exception {
        FollowerSlots.Slot slot = slots.take();
        if (slot == null) {
            return false;
        }
        ServiceLogs.Chunk tail;
        try {
            tail = logs.tail(service, lines);
        } catch (RuntimeException e) {
            slot.release();
            throw e;
        }
        slot.releaseWhenDone(ex);
        new ServerSentEventHandler((connection, lastEventId) -> {
            connection.setKeepAliveTime(keepAliveMillis);
            Follower f = new Follower(new SseClient(connection), service, tail.cursor());
            connection.addCloseTask(c -> {
                followers.remove(c);
                slot.release();
                ticker.changed();
            });
            followers.put(connection, f);
            ticker.changed();
            tail.lines().forEach(line -> f.client.send(line, null));
        }).handleRequest(ex);
        return true;
    }

    private void publish() {
        followers.forEach((connection, f) -> {
            try {
                if (!f.client.isOpen()) {
                    followers.remove(connection);
                    ticker.changed();
                    return;
                }
                ServiceLogs.Chunk chunk = logs.after(f.service, f.cursor, BATCH);
                f.cursor = chunk.cursor();
                chunk.lines().forEach(line -> f.client.send(line, null));
            } catch (RuntimeException e) {
                LOG.warn("log feed for {}: {}", f.service, e.getMessage());
            }
        });
    }
}
