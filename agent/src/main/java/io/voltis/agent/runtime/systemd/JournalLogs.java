package io.voltis.agent.runtime.systemd;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import io.voltis.agent.runtime.ServiceLogs;

/**
 * A systemd-run service's log is its unit's journal: {@code journalctl -u UNIT -o cat
 * --show-cursor}, and the journal's own cursor to read on ({@code --after-cursor}). A service
 * this runtime does not know reads as empty.
 */
final class JournalLogs implements ServiceLogs {

    private static final String CURSOR_LINE = "-- cursor: ";

    private final BoundedProcess journalctl;
    private final Function<String, String> unitOf;

    JournalLogs(Path journalctl, Function<String, String> unitOf) {
        this.journalctl = new BoundedProcess(journalctl.toString(), Duration.ofSeconds(10), Map.of("SYSTEMD_COLORS", "0"));
        this.unitOf = unitOf;
    }

    @Override
    public Chunk tail(String service, int lines) {
        return read(service, List.of("-n", String.valueOf(lines)), "");
    }

    @Override
    public Chunk after(String service, String cursor, int max) {
        if (cursor.isEmpty()) {
            return tail(service, 0);
        }
        return read(service, List.of("--after-cursor", cursor, "-n", String.valueOf(max)), cursor);
    }

    private Chunk read(String service, List<String> which, String cursor) {
        String unit = unitOf.apply(service);
        if (unit == null) {
            return new Chunk(List.of(), cursor);
        }
        List<String> args = new ArrayList<>(List.of("-u", unit, "-o", "cat", "--no-pager", "--show-cursor"));
        args.addAll(which);
        Systemctl.Result result = journalctl.run(args);
        if (!result.ok()) {
            return new Chunk(List.of(), cursor);
        }
        List<String> lines = new ArrayList<>();
        String next = cursor;
        for (String line : result.stdout().split("\n", -1)) {
            if (line.startsWith(CURSOR_LINE)) {
                next = line.substring(CURSOR_LINE.length()).strip();
            } else if (!line.equals("-- No entries --")) {
                lines.add(line.length() > MAX_LINE ? line.substring(0, MAX_LINE) + "…" : line);
            }
        }
        if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        return new Chunk(lines, next);
    }
}
