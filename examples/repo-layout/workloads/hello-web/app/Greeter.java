// Greeter: the "web" service of the hello-web example workload (Voltis example repo).
// GET / answers with the greeting file the agent renders from files/greeting.txt.tmpl,
// read again on every request; GET /health answers 200 "ok". Listens on 127.0.0.1 only.
// SIGTERM (how the agent stops a service) runs a shutdown hook that stops the server.
// Usage: java app/Greeter.java --port 18080 --greeting-file /path/to/greeting.txt
// Only JDK classes: a device needs nothing but a JDK 17.

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

public class Greeter {
    public static void main(String[] args) throws IOException {
        InetSocketAddress address;
        Path greetingFile;
        try {
            Map<String, String> opts = parseArgs(args, "--port", "--greeting-file");
            address = new InetSocketAddress("127.0.0.1", Integer.parseInt(opts.get("--port")));
            greetingFile = Path.of(opts.get("--greeting-file"));
        } catch (IllegalArgumentException e) {
            System.err.println("usage: java app/Greeter.java --port PORT --greeting-file PATH ("
                    + e.getMessage() + ")");
            System.exit(2);
            return;
        }
        HttpServer server = HttpServer.create(address, 0);
        server.createContext("/", exchange -> handle(exchange, greetingFile));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop(0);
            System.out.println("greeter: stopped");
        }, "greeter-shutdown"));
        server.start();
        System.out.println("greeter: listening on http://" + address.getHostString() + ":"
                + address.getPort() + "/, greeting from " + greetingFile);
    }

    static void handle(HttpExchange exchange, Path greetingFile) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (!"GET".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", "GET");
                reply(exchange, 405, "method not allowed\n");
            } else if (path.equals("/health")) {
                reply(exchange, 200, "ok");
            } else if (!path.equals("/")) {
                reply(exchange, 404, "not found\n");
            } else {
                String greeting;
                try {
                    greeting = Files.readString(greetingFile, StandardCharsets.UTF_8);
                } catch (IOException e) {
                    reply(exchange, 503, "greeting not available: " + e + "\n");
                    return;
                }
                reply(exchange, 200, greeting);
            }
        }
    }

    static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    /** "--name value" pairs, exactly the given names, each once. */
    static Map<String, String> parseArgs(String[] args, String... names) {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opts.put(args[i], args[i + 1]);
        }
        if (args.length != 2 * names.length || !opts.keySet().equals(Set.of(names))) {
            throw new IllegalArgumentException("expected exactly " + String.join(", ", names));
        }
        return opts;
    }
}
