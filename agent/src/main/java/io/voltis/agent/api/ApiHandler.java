package io.voltis.agent.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import io.voltis.agent.reconcile.AgentStatus;
import io.voltis.agent.runtime.ServiceStatus;
import io.voltis.sync.store.ApplyRecord;
import io.voltis.sync.store.RevisionRecord;
import io.voltis.sync.store.StoreException;
import io.voltis.sync.store.StoreUnavailableException;

/**
 * Routes every request: GET and HEAD only (405 with {@code Allow} otherwise), but for the one
 * check-now hint {@code POST /api/v1/sync}, which changes no state; no dot segments,
 * the bearer token on {@code /api/} and {@code /metrics} when one is set, then one of the
 * endpoints of docs/api.md, or 404 as JSON. Answers that need the database or the metrics
 * registry run on a worker thread; the status is served from a cache renewed once per tick.
 */
final class ApiHandler implements HttpHandler {

    private static final HttpString ALLOW = new HttpString("Allow");
    private static final HttpString WWW_AUTHENTICATE = new HttpString("WWW-Authenticate");
    private static final HttpString NOSNIFF = new HttpString("X-Content-Type-Options");
    private static final HttpString CSP = new HttpString("Content-Security-Policy");
    private static final String PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
    private static final String PREFIX_SERVICES = "/api/v1/services/";
    private static final String PREFIX_REVISIONS = "/api/v1/revisions/";

    private final ApiSources sources;
    private final TokenFile token;
    private static final String SYNC = "/api/v1/sync";
    private final EventFeed events;
    private final LogFeed logs;
    private final Map<String, Asset> assets;
    private final AtomicReference<CachedStatus> cached = new AtomicReference<>();

    private record Asset(String contentType, byte[] bytes) {
    }

    private record CachedStatus(AgentStatus status, byte[] json) {
    }

    /** A request that cannot be answered as asked: its status code and one line. */
    private static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;

        Refused(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    ApiHandler(ApiSources sources, TokenFile token, EventFeed events, LogFeed logs) {
        this.sources = sources;
        this.token = token;
        this.events = events;
        this.logs = logs;
        this.assets = Map.of(
                "/", asset("index.html", "text/html; charset=utf-8"),
                "/app.js", asset("app.js", "text/javascript; charset=utf-8"),
                "/style.css", asset("style.css", "text/css; charset=utf-8"));
    }

    int followers() {
        return events.clients() + logs.clients();
    }

    @Override
    public void handleRequest(HttpServerExchange ex) throws Exception {
        ex.getResponseHeaders().put(NOSNIFF, "nosniff");
        HttpString method = ex.getRequestMethod();
        String path = ex.getRequestPath();
        if (path.equals(SYNC)) {
            if (!method.equals(Methods.POST)) {
                ex.getResponseHeaders().put(ALLOW, "POST");
                Responses.error(ex, 405, method + " is not allowed: " + SYNC + " takes POST (it asks for a poll now)");
                return;
            }
        } else if (!method.equals(Methods.GET) && !method.equals(Methods.HEAD)) {
            ex.getResponseHeaders().put(ALLOW, "GET, HEAD");
            Responses.error(ex, 405, method + " is not allowed: the status API is read-only (GET, HEAD)");
            return;
        }
        try {
            checkPath(path);
            if ((path.startsWith("/api/") || path.equals("/metrics")) && token != null
                    && !token.accepts(ex.getRequestHeaders().getFirst(Headers.AUTHORIZATION))) {
                ex.getResponseHeaders().put(WWW_AUTHENTICATE, "Bearer realm=\"voltis\"");
                throw new Refused(401, "a bearer token is required: send 'Authorization: Bearer <token>' "
                        + "with the token of --api-token-file");
            }
            if (ex.isInIoThread() && needsWorker(path)) {
                ex.dispatch(this);
                return;
            }
            route(ex, path);
        } catch (Refused r) {
            Responses.error(ex, r.status, r.getMessage());
        } catch (StoreUnavailableException e) {
            // a full disk or a store being reopened: the client may try again; status still answers
            ex.getResponseHeaders().put(new HttpString("Retry-After"), "5");
            Responses.error(ex, 503, e.line());
        } catch (StoreException e) {
            Responses.error(ex, 503, "StoreUnavailable: " + e.getMessage());
        }
    }

    private static boolean needsWorker(String path) {
        return !path.equals("/api/v1/status") && !path.equals("/healthz") && !path.equals("/readyz")
                && !path.equals("/") && !path.equals("/app.js") && !path.equals("/style.css");
    }

    private void route(HttpServerExchange ex, String path) throws Exception {
        Asset asset = assets.get(path);
        if (asset != null) {
            ex.getResponseHeaders().put(CSP, PAGE_CSP);
            ex.getResponseHeaders().put(new HttpString("X-Frame-Options"), "DENY");
            Responses.send(ex, 200, asset.contentType(), asset.bytes());
            return;
        }
        switch (path) {
            case "/api/v1/status" -> status(ex);
            case SYNC -> sync(ex);
            case "/api/v1/revisions" -> revisions(ex);
            case "/api/v1/events" -> events(ex);
            case "/metrics" -> Responses.text(ex, 200, "text/plain; version=0.0.4; charset=utf-8", sources.metrics().get());
            case "/healthz" -> healthz(ex);
            case "/readyz" -> readyz(ex);
            default -> {
                if (path.startsWith(PREFIX_REVISIONS)) {
                    revision(ex, path.substring(PREFIX_REVISIONS.length()));
                } else if (path.startsWith(PREFIX_SERVICES) && path.endsWith("/logs")
                        && path.length() > PREFIX_SERVICES.length() + "/logs".length()) {
                    serviceLogs(ex, path.substring(PREFIX_SERVICES.length(), path.length() - "/logs".length()));
                } else {
                    throw new Refused(404, "no such path: " + clip(path) + " (see /api/v1/status, docs/api.md)");
                }
            }
        }
    }

    /**
     * A check-now hint: the next poll now (or the one another hint asked for moments ago). It
     * changes no state: content still comes from Git. Only a JSON request is taken, which a
     * browser sends cross-origin only after a preflight this API never grants: a web page the
     * device's user visits cannot ask for polls.
     */
    private void sync(HttpServerExchange ex) throws Refused {
        String type = ex.getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
        if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith(Responses.JSON)) {
            throw new Refused(415, "send Content-Type: application/json (the body may be {}); voltis-agent sync does");
        }
        if (ex.getRequestContentLength() > 4096) {
            throw new Refused(413, "the body of " + SYNC + " is ignored: send {} or nothing");
        }
        io.voltis.agent.hints.SyncHints.Answer a = sources.sync().get();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("pollAt", a.pollAt().toString());
        body.put("coalesced", a.coalesced());
        Responses.send(ex, 202, Responses.JSON, Responses.json(body));
    }

    private void status(HttpServerExchange ex) {
        AgentStatus status = sources.status().get();
        CachedStatus c = cached.get();
        if (c == null || c.status() != status) {
            c = new CachedStatus(status, Responses.json(StatusView.of(status, sources.source())));
            cached.set(c);
        }
        Responses.send(ex, 200, Responses.JSON, c.json());
    }

    private void revisions(HttpServerExchange ex) throws Refused {
        int limit = intParam(ex, "limit", 50, 1, 1000);
        String applied = sources.status().get().appliedRevision();
        Map<String, List<ApplyRecord>> applies = appliesBySha(1000);
        List<RevisionView> views = new ArrayList<>();
        for (RevisionRecord r : sources.store().revisions(limit)) {
            views.add(RevisionView.of(r, applied, applies.getOrDefault(r.sha(), List.of()), false));
        }
        Responses.sendJson(ex, views);
    }

    private void revision(HttpServerExchange ex, String sha) throws Refused {
        if (!sha.matches("[0-9a-fA-F]{4,64}")) {
            throw new Refused(400, "'" + clip(sha) + "' is not a revision: give 4 to 64 hex digits of a commit SHA");
        }
        List<RevisionRecord> found = sources.store().revisionsByPrefix(sha);
        if (found.isEmpty()) {
            throw new Refused(404, "no revision " + sha + " recorded on this device");
        }
        if (found.size() > 1) {
            throw new Refused(400, "'" + sha + "' is ambiguous: it starts " + found.stream().limit(5)
                    .map(RevisionRecord::sha).toList() + (found.size() > 5 ? " and " + (found.size() - 5) + " more" : ""));
        }
        RevisionRecord r = found.get(0);
        Responses.sendJson(ex, RevisionView.of(r, sources.status().get().appliedRevision(),
                appliesBySha(1000).getOrDefault(r.sha(), List.of()), true));
    }

    private Map<String, List<ApplyRecord>> appliesBySha(int limit) {
        Map<String, List<ApplyRecord>> bySha = new LinkedHashMap<>();
        for (ApplyRecord a : sources.store().applies(limit)) {
            bySha.computeIfAbsent(a.sha(), k -> new ArrayList<>()).add(a);
        }
        return bySha;
    }

    private void events(HttpServerExchange ex) throws Exception {
        int limit = intParam(ex, "limit", 50, 1, 1000);
        if (follow(ex)) {
            if (ex.getRequestMethod().equals(Methods.HEAD)) {
                Responses.send(ex, 200, "text/event-stream", new byte[0]);
            } else if (!events.follow(ex, Math.min(limit, 20))) {
                throw new Refused(503, "too many followers of the event stream; try again later");
            }
            return;
        }
        Responses.sendJson(ex, sources.store().events(limit)); // NOTE: Event's fields are the API's (openapi.yaml)
    }

    private void serviceLogs(HttpServerExchange ex, String name) throws Exception {
        Optional<ServiceStatus> service = sources.status().get().services().stream()
                .filter(s -> s.name().equals(name)).findFirst();
        if (service.isEmpty()) {
            throw new Refused(404, "no service '" + clip(name) + "' in the applied workload");
        }
        int lines = intParam(ex, "lines", 100, 1, 10_000);
        if (follow(ex)) {
            if (ex.getRequestMethod().equals(Methods.HEAD)) {
                Responses.send(ex, 200, "text/event-stream", new byte[0]);
            } else if (!logs.follow(ex, name, lines)) {
                throw new Refused(503, "too many followers of service logs; try again later");
            }
            return;
        }
        List<String> tail = sources.logs().tail(name, lines).lines();
        Responses.text(ex, 200, "text/plain; charset=utf-8", tail.isEmpty() ? "" : String.join("\n", tail) + "\n");
    }

    private void healthz(HttpServerExchange ex) {
        Optional<String> problem = sources.unhealthy().get();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", problem.isPresent() ? "unhealthy" : "ok");
        problem.ifPresent(p -> body.put("error", p));
        Responses.send(ex, problem.isPresent() ? 503 : 200, Responses.JSON, Responses.json(body));
    }

    /** Not ready before the first tick ("starting") and while ticks fail ("failing", with the tick's error). */
    private void readyz(HttpServerExchange ex) {
        boolean ready = sources.ready().getAsBoolean();
        Map<String, Object> body = new LinkedHashMap<>();
        AgentStatus status = ready ? null : sources.status().get();
        boolean failing = !ready && status != null && status.phase() == io.voltis.agent.reconcile.Phase.FAILED
                && status.lastError() != null;
        body.put("status", ready ? "ready" : failing ? "failing" : "starting");
        if (failing) {
            body.put("error", status.lastError());
        }
        Responses.send(ex, ready ? 200 : 503, Responses.JSON, Responses.json(body));
    }

    private static boolean follow(HttpServerExchange ex) throws Refused {
        String v = param(ex, "follow");
        if (v == null || v.equals("false")) {
            return false;
        }
        if (v.equals("true")) {
            return true;
        }
        throw new Refused(400, "follow: '" + clip(v) + "' is not true or false");
    }

    private static int intParam(HttpServerExchange ex, String name, int fallback, int min, int max) throws Refused {
        String v = param(ex, name);
        if (v == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // the message below says what is wanted
        }
        throw new Refused(400, name + ": '" + clip(v) + "' is not a whole number from " + min + " to " + max);
    }

    private static String param(HttpServerExchange ex, String name) {
        Deque<String> values = ex.getQueryParameters().get(name);
        return values == null || values.isEmpty() ? null : values.getLast();
    }

    /** No '.' or '..' segment, no empty segment, nothing still percent-encoded, no backslash. */
    private static void checkPath(String path) throws Refused {
        if (!path.startsWith("/") || path.contains("\\") || path.contains("%") || path.contains("//")
                || path.contains("\0")) {
            throw new Refused(400, "invalid path: " + clip(path));
        }
        for (String segment : path.split("/")) {
            if (segment.equals(".") || segment.equals("..")) {
                throw new Refused(400, "invalid path: '.' and '..' segments are not allowed");
            }
        }
    }

    /** Echoes of the client's input are cut short and kept printable. */
    private static String clip(String s) {
        String printable = s.replaceAll("[^\\x20-\\x7E]", "?");
        return printable.length() > 80 ? printable.substring(0, 80) + "…" : printable;
    }

    private static Asset asset(String name, String contentType) {
        try (InputStream in = ApiHandler.class.getResourceAsStream("page/" + name)) {
            if (in == null) {
                throw new IllegalStateException("the status page's " + name + " is missing from the jar");
            }
            return new Asset(contentType, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
