package io.voltis.agent.runtime.systemd;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The last lines a unit wrote to the journal, oldest first. The default implementation runs
 * {@code journalctl -u <unit> -n <lines> -o cat --no-pager}; it answers an empty list when
 * the journal has nothing or cannot be read, since the log is a hint, not the status itself.
 */
@FunctionalInterface
public interface Journal {

    /** Lines longer than this are cut: a status carries a hint, not a dump. */
    int MAX_LINE = 1000;

    List<String> tail(String unit, int lines);

    static Journal onPath() {
        return at(Path.of("journalctl"));
    }

    static Journal at(Path journalctl) {
        BoundedProcess process = new BoundedProcess(journalctl.toString(), Duration.ofSeconds(10), Map.of("SYSTEMD_COLORS", "0"));
        return (unit, lines) -> {
            Systemctl.Result result = process.run(
                    List.of("-u", unit, "-n", String.valueOf(lines), "-o", "cat", "--no-pager"));
            return result.ok() ? lastLines(result.stdout(), lines) : List.of();
        };
    }

    private static List<String> lastLines(String output, int lines) {
        List<String> kept = new ArrayList<>();
        output.lines()
                .filter(line -> !line.equals("-- No entries --"))
                .map(line -> line.length() > MAX_LINE ? line.substring(0, MAX_LINE) + "…" : line)
                .forEach(kept::add);
        return List.copyOf(kept.subList(Math.max(0, kept.size() - lines), kept.size()));
    }
}
