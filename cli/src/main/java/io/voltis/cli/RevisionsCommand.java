package io.voltis.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import io.voltis.agent.api.RevisionView;
import io.voltis.sync.store.ApplyRecord;
import io.voltis.sync.store.Pin;
import io.voltis.sync.store.RevisionRecord;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code voltis-agent revisions}: what this device fetched, newest first, and what became of each. */
@Command(name = "revisions", mixinStandardHelpOptions = true,
        description = "Revisions this device fetched, newest first, with validation and last apply; * marks the applied one.")
final class RevisionsCommand implements Callable<Integer> {

    @Option(names = "--limit", paramLabel = "N", defaultValue = "20", description = "How many (1-1000, default 20).")
    int limit;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
            description = "table or json (the API's /api/v1/revisions shape).")
    OutputFormat output;

    @Mixin
    DeviceOptions device;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (limit < 1 || limit > 1000) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--limit: " + limit + " is not from 1 to 1000");
        }
        try (Device d = Device.open(device.load(spec))) {
            String applied = d.applied().orElse(null);
            String pinned = d.store.pin().map(Pin::revision).orElse(null);
            Map<String, List<ApplyRecord>> applies = new LinkedHashMap<>();
            d.store.applies(1000).forEach(a -> applies.computeIfAbsent(a.sha(), k -> new ArrayList<>()).add(a));
            List<RevisionView> views = new ArrayList<>();
            for (RevisionRecord r : d.store.revisions(limit)) {
                views.add(RevisionView.of(r, applied, applies.getOrDefault(r.sha(), List.of()), false));
            }
            PrintWriter out = spec.commandLine().getOut();
            if (output == OutputFormat.json) {
                out.println(Json.write(views));
                return Main.OK;
            }
            if (views.isEmpty()) {
                out.println("no revisions fetched yet");
                return Main.OK;
            }
            boolean signatures = views.stream().anyMatch(v -> v.signature() != null);
            List<String> header = new ArrayList<>(List.of("", "REVISION", "COMMITTED", "VALIDATION"));
            if (signatures) {
                header.add("SIGNATURE");
            }
            boolean gates = views.stream().anyMatch(v -> v.gate() != null);
            if (gates) {
                header.add("GATE");
            }
            header.addAll(List.of("LAST APPLY", "MESSAGE"));
            Table t = new Table(header.toArray(String[]::new));
            for (RevisionView v : views) {
                String mark = (v.applied() ? "*" : "") + (v.sha().equals(pinned) ? "P" : "");
                String last = v.lastApply() == null ? "-" : v.lastApply().result()
                        + (v.lastApply().finishedAt() == null ? "" : " " + v.lastApply().finishedAt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
                String committed = v.committedAt() == null ? "-" : v.committedAt().toString();
                List<String> row = new ArrayList<>(List.of(mark, Device.shortSha(v.sha()), committed, v.validation()));
                if (signatures) {
                    row.add(signature(v.signature()));
                }
                if (gates) {
                    row.add(gate(v));
                }
                row.addAll(List.of(last, firstLine(v.message())));
                t.row(row.toArray(String[]::new));
            }
            t.print(out);
            out.println("* applied" + (pinned != null ? "   P pinned (holds until `voltis-agent unpin`)" : ""));
            return Main.OK;
        }
    }

    /** {@code passed}, {@code quarantined} (failed and rolled back from), {@code failed} (held), or {@code -}. */
    private static String gate(RevisionView v) {
        if (v.gate() == null) {
            return "-";
        }
        boolean quarantined = "invalid".equals(v.validation()) && !v.problems().isEmpty()
                && v.problems().get(0).startsWith("quarantined: the health gate failed");
        return quarantined ? "quarantined" : v.gate().result();
    }

    /** {@code Verified ops@example.com}, {@code Unsigned}, or {@code -} when never verified. */
    private static String signature(RevisionView.SignatureView s) {
        if (s == null) {
            return "-";
        }
        String who = s.signer() == null ? "" : " " + s.signer().split(" ")[0];
        return s.result() + (io.voltis.sync.store.RevisionRecord.VERIFIED.equals(s.result()) ? who : "");
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "-";
        }
        String line = message.lines().findFirst().orElse("");
        return line.length() > 60 ? line.substring(0, 59) + "…" : line;
    }
}
