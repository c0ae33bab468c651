package io.voltis.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import io.voltis.agent.plan.Plan;
import io.voltis.sync.git.Redact;
import io.voltis.sync.store.ApplyRecord;
import io.voltis.sync.store.Pin;
import io.voltis.sync.store.SourceState;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code voltis-agent status}: the running daemon's status (its API's /api/v1/status), or, when
 * it does not run, what the store knows: the applied revision, the pin, the source as last seen.
 * Packages are known only to the running daemon (it checks them and keeps what it saw in memory),
 * so the store's answer says they are unknown.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"This device's status: phase, applied vs desired vs Git head, pin, source, packages, services, jobs.",
                "From the running daemon; from the agent's store when the daemon is not running."})
final class StatusCommand implements Callable<Integer> {

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
            description = "table or json (the API's /api/v1/status shape, plus \"daemon\").")
    OutputFormat output;

    @Mixin
    DeviceOptions device;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        try (Device d = Device.openLive(device.load(spec))) {
            ObjectNode status = d.daemon.isPresent() ? fromDaemon(d) : null;
            if (status == null && d.store == null) {
                throw new IllegalStateException("the store cannot be opened and the daemon's API wants a token this user"
                        + " cannot read");
            }
            if (status == null) {
                status = fromStore(d);
                if (d.daemon.isPresent()) {
                    status.put("daemon", "running (its API wants a token this user cannot read: showing the store)");
                }
            }
            PrintWriter out = spec.commandLine().getOut();
            if (output == OutputFormat.json) {
                out.println(Json.write(status));
            } else {
                print(status, out);
            }
            return Main.OK;
        }
    }

    /** The daemon's own status, or null when its API wants a token this user has not got. */
    private static ObjectNode fromDaemon(Device d) throws IOException {
        HttpResponse<String> r = d.daemon.get().get("/api/v1/status", Duration.ofSeconds(10));
        if (r.statusCode() == 401) {
            return null; // the store still answers
        }
        if (r.statusCode() != 200) {
            throw new IllegalStateException("the daemon at " + d.daemon.get().base() + " answered " + r.statusCode());
        }
        ObjectNode status = (ObjectNode) Json.read(r.body());
        status.put("daemon", "running");
        return status;
    }

    /** What the store knows with no daemon: nothing live (phase, services), everything recorded. */
    private static ObjectNode fromStore(Device d) {
        SourceState src = d.store.sourceState();
        var pin = d.store.pin();
        var last = d.store.lastApply();
        String applied = d.applied().orElse(null);
        var want = d.desired();
        String desired = want.map(Plan.TargetRevision::sha).orElse(pin.map(Pin::revision).orElse(src.headRevision()));
        // the device file's revision: pins the device too (source repo), as the daemon shows it
        var repoPin = pin.isPresent() ? java.util.Optional.<String>empty()
                : want.filter(w -> w.reason() == Plan.Reason.DEVICE_FILE).map(Plan.TargetRevision::sha);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("hostname", d.hostname());
        s.put("workload", null);
        s.put("phase", null);
        s.put("summary", "the agent is not running; " + (applied == null ? "nothing applied yet"
                : "it last ran " + Device.shortSha(applied))
                + last.filter(a -> a.result() != ApplyRecord.Result.SUCCEEDED).map(a -> "; its last apply, of "
                + Device.shortSha(a.sha()) + ", " + a.result().name().toLowerCase(Locale.ROOT)).orElse("")
                + pin.map(p -> "; pinned to " + Device.shortSha(p.revision()) + " (cli)").orElse("")
                + repoPin.map(r -> "; pinned to " + Device.shortSha(r) + " (repo)").orElse(""));
        s.put("desiredRevision", desired);
        s.put("appliedRevision", applied);
        Map<String, Object> repo = new LinkedHashMap<>();
        repoPin.ifPresent(r -> {
            repo.put("revision", r);
            repo.put("source", "repo");
            repo.put("since", null);
        });
        s.put("pin", pin.<Object>map(p -> Map.of("revision", p.revision(), "source", "cli", "since", String.valueOf(p.at())))
                .orElse(repo.isEmpty() ? null : repo));
        if (d.config.trust().on()) {
            Map<String, Object> signatures = new LinkedHashMap<>();
            signatures.put("verify", d.config.trust().mode().word());
            signatures.put("applied", signature(d, applied));
            signatures.put("desired", signature(d, desired));
            s.put("signatures", signatures);
        }
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("url", d.config.repo().isEmpty() ? null : Redact.url(d.config.repo()));
        source.put("branch", d.config.branch());
        source.put("path", d.config.path());
        source.put("headRevision", src.headRevision());
        source.put("lastPollAt", src.lastPollAt());
        source.put("lastFetchAt", src.lastFetchAt());
        source.put("reachable", src.reachable());
        source.put("reason", src.reason());
        source.put("error", src.error());
        source.put("failingSince", src.failingSince());
        s.put("source", source);
        // NOTE: null, not []: packages are checked by the daemon and kept in its memory only (docs/cli.md).
        s.put("packages", null);
        s.put("services", List.of());
        s.put("jobs", List.of());
        s.put("lastError", last.map(ApplyRecord::error).orElse(null));
        s.put("updatedAt", null);
        s.put("daemon", "not running");
        return (ObjectNode) Json.tree(s);
    }

    /** What the daemon recorded of {@code sha}'s signature, as the API shows it; null when never verified. */
    private static Map<String, Object> signature(Device d, String sha) {
        if (sha == null || !sha.matches("[0-9a-f]{40}")) {
            return null;
        }
        return d.store.revision(sha).filter(r -> r.trust() != null).<Map<String, Object>>map(r -> {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("result", r.trust());
            v.put("signer", r.signer());
            v.put("message", r.trustMessage());
            return v;
        }).orElse(null);
    }

    /** {@code Verified by ops@example.com (ssh-ed25519 SHA256:…)}, {@code Unsigned}, or {@code not verified}. */
    private static String signature(JsonNode v) {
        if (!v.isObject()) {
            return "not verified";
        }
        return text(v, "result") + (v.path("signer").isString() && "Verified".equals(text(v, "result"))
                ? " by " + text(v, "signer") : "");
    }

    private static void print(JsonNode s, PrintWriter out) {
        Table facts = new Table("", "");
        facts.row("device", text(s, "hostname") + (s.path("workload").isString() ? " (workload " + text(s, "workload") + ")" : ""));
        facts.row("phase", s.path("phase").isString() ? text(s, "phase") : "unknown (the agent is not running)");
        facts.row("summary", text(s, "summary"));
        facts.row("applied", Device.shortSha(nullable(s, "appliedRevision")));
        facts.row("desired", Device.shortSha(nullable(s, "desiredRevision")));
        JsonNode pin = s.path("pin");
        facts.row("pin", pin.isObject() ? Device.shortSha(text(pin, "revision")) + " (" + text(pin, "source") + ")"
                + ("cli".equals(text(pin, "source")) ? " holds until `voltis-agent unpin`" : " from the device file")
                : "none: follows the branch");
        JsonNode sig = s.path("signatures");
        if (sig.isObject()) {
            facts.row("signatures", "verify " + text(sig, "verify") + "; applied " + signature(sig.path("applied"))
                    + "; desired " + signature(sig.path("desired")));
        }
        JsonNode rollout = s.path("rollout");
        if (rollout.isObject()) {
            facts.row("rollout", rollout.path("waiting").isString() ? text(rollout, "waiting") : text(rollout, "message"));
        }
        JsonNode src = s.path("source");
        facts.row("source", (src.path("url").isString() ? text(src, "url") : "-") + " " + text(src, "branch") + (text(src, "path").isEmpty() ? "" : " /" + text(src, "path")));
        facts.row("git head", Device.shortSha(nullable(src, "headRevision")) + ", last poll " + nullable(src, "lastPollAt"));
        facts.row("reachable", src.path("reachable").asBoolean() ? "yes"
                : "no" + (src.path("reason").isString() ? ": " + text(src, "reason") + " since " + nullable(src, "failingSince")
                + (src.path("error").isString() ? " (" + text(src, "error") + ")" : "") : ""));
        if (s.path("lastError").isString()) {
            facts.row("last error", text(s, "lastError"));
        }
        if (!s.path("packages").isArray()) {
            facts.row("packages", "unknown: the agent checks them and is not running");
        }
        facts.row("daemon", text(s, "daemon"));
        List<String> lines = new ArrayList<>();
        java.io.StringWriter w = new java.io.StringWriter();
        facts.print(new PrintWriter(w));
        w.toString().lines().skip(1).forEach(lines::add);
        lines.forEach(out::println);
        if (s.path("packages").size() > 0) {
            out.println();
            Table packages = new Table("PACKAGE", "MANAGER", "STATE", "VERSION", "CHECKED", "MESSAGE");
            for (JsonNode p : s.path("packages")) {
                packages.row(text(p, "name"), text(p, "manager"), text(p, "state"), nullable(p, "version"),
                        nullable(p, "checkedAt"), nullable(p, "message"));
            }
            packages.print(out);
        }
        if (s.path("services").size() > 0) {
            out.println();
            Table services = new Table("SERVICE", "DESIRED", "ACTUAL", "HEALTH", "RESTARTS", "SINCE", "EXIT", "MESSAGE");
            List<JsonNode> down = new java.util.ArrayList<>();
            for (JsonNode v : s.path("services")) {
                services.row(text(v, "name"), text(v, "desired"), text(v, "actual"),
                        v.path("healthy").isBoolean() ? (v.path("healthy").asBoolean() ? "healthy" : "unhealthy") : "-",
                        v.path("restarts").asInt(), nullable(v, "since"), nullable(v, "lastExitCode"), nullable(v, "message"));
                if (v.path("lastLogLines").size() > 0) {
                    down.add(v);
                }
            }
            services.print(out);
            for (JsonNode v : down) {
                out.println();
                out.println("last log lines of " + text(v, "name") + ":");
                for (JsonNode line : v.path("lastLogLines")) {
                    out.println("  " + line.asString());
                }
            }
        }
        if (s.path("jobs").size() > 0) {
            out.println();
            Table jobs = new Table("JOB", "LAST RUN", "RESULT");
            for (JsonNode j : s.path("jobs")) {
                jobs.row(text(j, "name"), nullable(j, "lastRunAt"), nullable(j, "result"));
            }
            jobs.print(out);
        }
        if (s.path("notifications").size() > 0) {
            out.println();
            Table notify = new Table("NOTIFY", "TYPE", "TO", "PENDING", "LAST DELIVERED", "LAST ERROR");
            for (JsonNode n : s.path("notifications")) {
                notify.row(text(n, "name"), text(n, "type"), text(n, "address"), n.path("pending").asInt(),
                        nullable(n, "lastDeliveredAt"), n.path("failing").asBoolean() ? text(n, "lastError") + " ("
                                + nullable(n, "lastErrorAt") + ")" : null);
            }
            notify.print(out);
        }
        if (s.path("hints").size() > 0) {
            out.println();
            Table hints = new Table("HINTS", "FROM", "TOPICS", "DELAY", "CONNECTED", "RECEIVED", "LAST HINT", "ERROR");
            for (JsonNode h : s.path("hints")) {
                java.util.List<String> topics = new java.util.ArrayList<>();
                h.path("topics").forEach(t -> topics.add(t.asString()));
                hints.row(text(h, "source"), text(h, "address"), String.join(" ", topics), text(h, "delay"),
                        h.path("connected").asBoolean() ? "yes" : "no", h.path("received").asLong(), nullable(h, "lastHintAt"),
                        h.path("error").isNull() ? null : text(h, "error") + " (since " + nullable(h, "errorSince") + ")");
            }
            hints.print(out);
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.path(field);
        return v.isNull() || v.isMissingNode() ? "" : v.asString();
    }

    private static String nullable(JsonNode n, String field) {
        JsonNode v = n.path(field);
        return v.isNull() || v.isMissingNode() ? null : v.asString();
    }
}
