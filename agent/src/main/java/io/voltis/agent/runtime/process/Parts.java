package io.voltis.agent.runtime.process;

import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What every service's supervisor shares: settings, the clock for status times, the timer for
 * restarts and health checks, the pool that runs health probes (they may block for their
 * timeout, the timer must not), the launcher, the backoff rule and the pid files.
 */
record Parts(ProcessRuntime.Settings settings, Clock clock, ScheduledExecutorService timer, ExecutorService probes,
             Launcher launcher, Backoff backoff, PidFiles pidFiles) {
}
