package io.voltis.agent.runtime.process;

import java.time.Duration;
import java.util.Collection;

import io.voltis.model.Durations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops runs the way an operator expects: SIGTERM to every group at once, one shared grace
 * period for all of them to end, SIGKILL to whatever is left. Stopping ten services takes one
 * grace period, not ten. An interrupt cuts the grace short (straight to SIGKILL) and is kept.
 */
final class Stopper {

    private static final Logger LOG = LoggerFactory.getLogger(Stopper.class);

    private Stopper() {
    }

    static void stop(Collection<Run> runs, Duration grace) {
        runs.forEach(Run::terminate);
        long deadline = System.nanoTime() + grace.toNanos();
        boolean interrupted = false;
        for (Run run : runs) {
            try {
                if (!interrupted && run.awaitExit(deadline)) {
                    continue;
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
            LOG.warn("service {} (pid {}) {}; sending SIGKILL to its process group", run.service(), run.pid(),
                    interrupted ? "stop interrupted" : "still running " + Durations.format(grace) + " after SIGTERM");
            try {
                run.kill();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        for (Run run : runs) {
            try {
                if (!interrupted) {
                    run.drain();
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
