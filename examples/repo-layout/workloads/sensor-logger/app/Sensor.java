// Sensor: the "sensor" service of the sensor-logger example workload (Voltis example
// repo). Every N seconds it appends one fake reading line (a slow random walk of
// temperature and humidity) to the readings file, creating its directory if needed.
// The file is opened for each line, so when the "rotate" job moves it away the next
// line starts a new file. An I/O error ends the process with exit code 1, for the
// agent's restart policy to handle. SIGTERM ends it (the JVM's default); each line is
// appended in one small write, so a reading is never cut in half.
// Usage: java app/Sensor.java --site plant-b --interval-seconds 10 --out /path/readings.log
// Only JDK classes: a device needs nothing but a JDK 17.

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

public class Sensor {
    public static void main(String[] args) throws InterruptedException {
        String site;
        int intervalSeconds;
        Path out;
        try {
            Map<String, String> opts = parseArgs(args, "--site", "--interval-seconds", "--out");
            site = opts.get("--site");
            intervalSeconds = Integer.parseInt(opts.get("--interval-seconds"));
            out = Path.of(opts.get("--out")).toAbsolutePath();
            if (intervalSeconds < 1) {
                throw new IllegalArgumentException("the interval must be at least 1 second");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("usage: java app/Sensor.java --site SITE --interval-seconds N --out FILE ("
                    + e.getMessage() + ")");
            System.exit(2);
            return;
        }
        System.out.println("sensor: site " + site + ", a reading every " + intervalSeconds + "s to " + out);
        Random random = new Random();
        double temperature = 21.0;
        double humidity = 45.0;
        for (long seq = 1; ; seq++) {
            temperature += random.nextGaussian() * 0.2;
            humidity = Math.max(0, Math.min(100, humidity + random.nextGaussian() * 0.5));
            String line = String.format(Locale.ROOT, "%s site=%s seq=%d temperature_c=%.2f humidity_pct=%.1f%n",
                    Instant.now().truncatedTo(ChronoUnit.SECONDS), site, seq, temperature, humidity);
            try {
                Files.createDirectories(out.getParent());
                Files.writeString(out, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                System.err.println("sensor: cannot write " + out + ": " + e);
                System.exit(1);
            }
            Thread.sleep(intervalSeconds * 1000L);
        }
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
