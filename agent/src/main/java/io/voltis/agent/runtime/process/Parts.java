package io.voltis.agent.runtime.process;

import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What every service's supervisor shares: settings, the clock for status times, the timer for
 * restarts and exits, the launcher, the backoff rule, the pid files and the marks that find a
 * service's processes beyond its process group.
 */
record Parts(ProcessRuntime.Settings settings, Clock clock, ScheduledExecutorService timer, Launcher launcher,
             Backoff backoff, PidFiles pidFiles, ProcessMarks marks) {
}
