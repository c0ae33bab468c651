package io.voltis.agent.runtime.process;

import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What every service's supervisor shares: settings, the clock for status times, the timer for
 * restarts and exits, the launcher, the backoff rule and the pid files.
 */
record Parts(ProcessRuntime.Settings settings, Clock clock, ScheduledExecutorService timer, Launcher launcher,
             Backoff backoff, PidFiles pidFiles) {
}
