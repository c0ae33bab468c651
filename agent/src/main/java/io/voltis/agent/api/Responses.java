package io.voltis.agent.api;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** Writing answers: JSON from records (times ISO-8601 UTC), one-line JSON errors, text. */
final class Responses {

    static final String JSON = "application/json";
    static final JsonMapper MAPPER = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
    /** One line per value, for Server-Sent Events. */
    static final JsonMapper COMPACT = JsonMapper.builder().build();

    private Responses() {
    }

    static byte[] json(Object value) {
        return MAPPER.writeValueAsBytes(value);
    }

    static void send(HttpServerExchange ex, int status, String contentType, byte[] body) {
        ex.setStatusCode(status);
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, contentType);
        ex.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        ex.getResponseSender().send(ByteBuffer.wrap(body));
    }

    static void sendJson(HttpServerExchange ex, Object value) {
        send(ex, 200, JSON, json(value));
    }

    /** {@code {"status": 404, "error": "no service 'x' in the applied workload"}}. */
    static void error(HttpServerExchange ex, int status, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        body.put("error", message);
        send(ex, status, JSON, json(body));
    }

    static void text(HttpServerExchange ex, int status, String contentType, String body) {
        send(ex, status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }
}
