// Pinger: the "visits-logger" service of the hello-web example workload (Voltis example
// repo). Every few seconds it GETs the web service's health URL and prints one
// timestamped line to stdout (which the agent keeps as the service's log), whether the
// call worked or not: a down web service is logged, not fatal. SIGTERM ends it.
// Usage: java app/Pinger.java --url http://127.0.0.1:18080/health --interval-seconds 5
// Only JDK classes: a device needs nothing but a JDK 17.

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

public class Pinger {
    public static void main(String[] args) throws InterruptedException {
        URI url;
        Duration interval;
        HttpRequest request;
        try {
            Map<String, String> opts = parseArgs(args, "--url", "--interval-seconds");
            url = URI.create(opts.get("--url"));
            interval = Duration.ofSeconds(Integer.parseInt(opts.get("--interval-seconds")));
            if (!url.isAbsolute() || interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("need an absolute URL and a positive interval");
            }
            request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(2)).GET().build();
        } catch (IllegalArgumentException e) {
            System.err.println("usage: java app/Pinger.java --url URL --interval-seconds N ("
                    + e.getMessage() + ")");
            System.exit(2);
            return;
        }
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        System.out.println(now() + " pinger: checking " + url + " every " + interval.toSeconds() + "s");
        while (true) {
            long started = System.nanoTime();
            String outcome;
            try {
                HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                outcome = response.statusCode() + " " + response.body().strip();
            } catch (IOException e) {
                String why = e.getMessage() == null ? "" : " " + e.getMessage();
                outcome = "unreachable: " + e.getClass().getSimpleName() + why;
            }
            long millis = (System.nanoTime() - started) / 1_000_000;
            System.out.println(now() + " GET " + url + " -> " + outcome + " (" + millis + " ms)");
            Thread.sleep(interval.toMillis());
        }
    }

    static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
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
