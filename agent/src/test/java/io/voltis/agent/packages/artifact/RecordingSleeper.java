package io.voltis.agent.packages.artifact;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A {@link Sleeper} that records each wait and returns at once, so backoff costs tests no time. */
final class RecordingSleeper implements Sleeper {

    final List<Duration> waits = new ArrayList<>();

    @Override
    public synchronized void sleep(Duration duration) {
        waits.add(duration);
    }
}
