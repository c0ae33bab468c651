package io.voltis.cli;

import java.util.List;
import java.util.concurrent.CountDownLatch;

import io.voltis.agent.Agent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * SIGTERM and SIGINT as a request to stop, answered by the thread waiting in {@link #await()}:
 * that thread closes the agent and the command returns 0. Left to the JVM, these signals run the
 * shutdown hooks and end the process with 143 (130 for SIGINT), which systemd counts as a failed
 * stop of {@code voltis-agent.service} (docs/cli.md promises 0 after a clean stop).
 * <p>
 * A signal received before the agent has started is kept and answered as soon as it has. Other
 * ends of the JVM (SIGHUP, {@code System.exit} elsewhere) still run the shutdown hook the
 * commands keep as a fallback. A signal the JVM cannot handle ({@code -Xrs}) is logged and left
 * to that hook too; a signal ignored when the process started (SIGINT for a background job of a
 * non-interactive shell) stays ignored, as it would for any program.
 */
final class StopSignals {

    private static final Logger LOG = LoggerFactory.getLogger(StopSignals.class);
    private static final List<String> STOP = List.of("TERM", "INT");

    private final CountDownLatch requested = new CountDownLatch(1);
    private volatile String received;

    private StopSignals() {
    }

    /** Handles SIGTERM and SIGINT from now on, in place of the JVM's default. */
    static StopSignals install() {
        StopSignals signals = new StopSignals();
        for (String name : STOP) {
            try {
                Signal.handle(new Signal(name), s -> signals.request("SIG" + s.getName()));
            } catch (IllegalArgumentException e) {
                LOG.warn("cannot handle SIG{} ({}): it stops the agent through the shutdown hook, with exit {}",
                        name, e.getMessage(), 128 + new Signal(name).getNumber());
            }
        }
        return signals;
    }

    private void request(String signal) {
        if (received == null) {
            received = signal;
        }
        requested.countDown();
    }

    /** Blocks until SIGTERM or SIGINT arrives; returns its name ({@code SIGTERM}). */
    String await() throws InterruptedException {
        requested.await();
        return received;
    }

    /**
     * Runs {@code agent} until SIGTERM or SIGINT, then closes it on this thread and returns
     * {@link Main#OK}. A shutdown hook closes it on any other end of the JVM.
     */
    int closeOnSignal(Agent agent) throws InterruptedException {
        Thread hook = new Thread(agent::close, "voltis-shutdown");
        java.lang.Runtime.getRuntime().addShutdownHook(hook);
        String signal = await();
        LOG.info("{} received", signal);
        agent.close();
        try {
            java.lang.Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down; the hook finds the agent closed
        }
        return Main.OK;
    }
}
