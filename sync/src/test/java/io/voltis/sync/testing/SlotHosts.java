package io.voltis.sync.testing;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Random;

import io.voltis.sync.PollSchedule;

/**
 * Devices for tests of check-now hints: a hostname whose first scheduled poll is far away, so a
 * poll sooner is the hint's, and a one-file workload for it.
 */
public final class SlotHosts {

    private SlotHosts() {
    }

    /** A hostname whose next slot at {@code interval} is more than {@code atLeast} away now. */
    public static String farFromItsSlot(Duration interval, Duration atLeast) {
        for (int i = 0; ; i++) {
            String host = "edge-" + i;
            if (new PollSchedule(interval, interval, host, new Random(), Clock.systemUTC()).firstDelay().compareTo(atLeast) > 0) {
                return host;
            }
        }
    }

    /** {@code devices/<host>.yaml} naming workload {@code app}, which puts {@code etc/app.conf} with the greeting. */
    public static Map<String, String> oneFileDevice(String host, String greeting) {
        return Map.of("devices/" + host + ".yaml", "workload: app\n",
                "workloads/app/workload.yaml", "apiVersion: voltis/v1\nfiles:\n  - {source: files/app.conf, target: etc/app.conf}\n",
                "workloads/app/files/app.conf", "greeting=" + greeting + "\n");
    }
}
