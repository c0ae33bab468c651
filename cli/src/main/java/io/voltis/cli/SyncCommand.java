package io.voltis.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;

import io.voltis.agent.config.AgentConfig;
import io.voltis.model.Durations;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;

/**
 * {@code voltis-agent sync}: asks the running daemon to poll now (a check-now hint through the
 * loopback API, with its token when one is set), waits for that poll and says what it found. A
 * hint changes nothing by itself: what is applied still comes from Git.
 */
@Command(name = "sync", mixinStandardHelpOptions = true,
        description = "Asks the running agent to poll its repository now; waits for that poll and prints what it found.")
final class SyncCommand implements Callable<Integer> {

    @Option(names = "--no-wait", description = "Return once the daemon took the request.")
    boolean noWait;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "60s",
            description = "How long to wait for the poll (default: 60s).")
    String timeout;

    @Mixin
    DeviceOptions device;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Duration wait;
        try {
            wait = Durations.parse(timeout);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--timeout: " + e.getMessage());
        }
        AgentConfig config = device.load(spec);
        Optional<DaemonApi> found = DaemonApi.find(config);
        if (found.isEmpty()) {
            throw new IllegalStateException("no agent runs for the state directory " + config.stateDir()
                    + ": nothing to ask (start it, or poll and apply once with voltis-agent run --once)");
        }
        DaemonApi api = found.get();
        PrintWriter out = spec.commandLine().getOut();
        Instant before = lastPollAt(api);
        HttpResponse<String> r = api.postJson("/api/v1/sync", "{}", Duration.ofSeconds(10));
        if (r.statusCode() != 202) {
            throw new IllegalStateException("the agent refused the request: " + DaemonApi.errorLine(r.body(), r.statusCode()));
        }
        JsonNode answer = Json.read(r.body());
        Instant pollAt = Instant.parse(answer.path("pollAt").asString());
        boolean coalesced = answer.path("coalesced").asBoolean();
        Instant now = Instant.now();
        out.println(coalesced ? "sync: joined the poll already asked for, " + when(pollAt, now)
                : "sync: the agent polls " + when(pollAt, now));
        out.flush();
        if (noWait) {
            return Main.OK;
        }
        Instant deadline = now.plus(wait);
        while (Instant.now().isBefore(deadline)) {
            JsonNode status = status(api);
            Instant last = instant(status.path("source").path("lastPollAt"));
            if (last != null && (before == null || last.isAfter(before)) && !last.isBefore(pollAt.minusSeconds(1))) {
                return report(status, out);
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("no poll finished within " + timeout + ": see voltis-agent status");
    }

    private static int report(JsonNode status, PrintWriter out) {
        JsonNode src = status.path("source");
        if (!src.path("reachable").asBoolean(true) || !src.path("error").isNull() && !src.path("error").isMissingNode()) {
            out.println("sync: the poll failed: " + src.path("error").asString(src.path("reason").asString("")));
            out.flush();
            return Main.FAILED;
        }
        String head = src.path("headRevision").asString("");
        out.println("sync: " + src.path("url").asString() + " (" + src.path("branch").asString() + ") is at "
                + (head.length() > 12 ? head.substring(0, 12) : head) + "; " + status.path("summary").asString(status.path("phase").asString()));
        out.flush();
        return Main.OK;
    }

    private static Instant lastPollAt(DaemonApi api) throws IOException {
        return instant(status(api).path("source").path("lastPollAt"));
    }

    private static JsonNode status(DaemonApi api) throws IOException {
        HttpResponse<String> r = api.get("/api/v1/status", Duration.ofSeconds(10));
        if (r.statusCode() != 200) {
            throw new IllegalStateException("the agent's status: " + DaemonApi.errorLine(r.body(), r.statusCode()));
        }
        return Json.read(r.body());
    }

    private static Instant instant(JsonNode n) {
        return n.isNull() || n.isMissingNode() ? null : Instant.parse(n.asString());
    }

    private static String when(Instant at, Instant now) {
        long s = Duration.between(now, at).toSeconds();
        return s <= 0 ? "now" : "in " + s + "s";
    }
}
