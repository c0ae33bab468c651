package io.voltis.agent.notify;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpServer;

/**
 * A real webhook receiver on loopback port 0 (the JDK's HTTP server): records every POST it gets,
 * answers the codes it is told to (200 once the list runs out), and can hold requests until
 * released (a slow target).
 */
final class Receiver implements AutoCloseable {

    /** One request as it arrived. */
    record Request(String id, String signature, String body) {
    }

    private final HttpServer server;
    private final List<Request> requests = java.util.Collections.synchronizedList(new ArrayList<>());
    private final ConcurrentLinkedQueue<Integer> codes = new ConcurrentLinkedQueue<>();
    private volatile CountDownLatch hold;

    Receiver() throws IOException {
        this(0);
    }

    Receiver(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.createContext("/hook/s3cr3t-path", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            CountDownLatch h = hold;
            if (h != null) {
                try {
                    h.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            Integer code = codes.poll();
            int answer = code == null ? 200 : code;
            if (answer == 200) {
                requests.add(new Request(exchange.getRequestHeaders().getFirst("X-Voltis-Id"),
                        exchange.getRequestHeaders().getFirst("X-Voltis-Signature"), new String(body, StandardCharsets.UTF_8)));
            }
            exchange.sendResponseHeaders(answer, -1);
            exchange.close();
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook/s3cr3t-path";
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** The next requests are answered with {@code answers}, in order (not recorded unless 200). */
    void answer(Integer... answers) {
        codes.addAll(List.of(answers));
    }

    /** Requests wait until {@link #release()}. */
    void holdRequests() {
        hold = new CountDownLatch(1);
    }

    void release() {
        CountDownLatch h = hold;
        hold = null;
        if (h != null) {
            h.countDown();
        }
    }

    /** The requests answered 200, in the order they arrived. */
    List<Request> delivered() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    static Map<String, Object> json(Request r) {
        return tools.jackson.databind.json.JsonMapper.builder().build().readValue(r.body(),
                new tools.jackson.core.type.TypeReference<Map<String, Object>>() { });
    }

    @Override
    public void close() {
        release();
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
