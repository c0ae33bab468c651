package io.voltis.agent.runtime.process;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;

/** A process runtime over a temporary folder, with small backoffs and grace; closed by the test's @AfterEach. */
final class RuntimeFixture implements AutoCloseable {

    static final ProcessRuntime.Settings FAST = new ProcessRuntime.Settings(Duration.ofSeconds(5),
            Duration.ofMillis(100), Duration.ofMillis(400), 64 * 1024, 3);

    final Path logDir;
    final ScheduledExecutorService timer = ProcessRuntime.newTimer();
    final ProcessRuntime runtime;

    RuntimeFixture(Path root, ProcessRuntime.Settings settings) {
        this(root, settings, Clock.systemUTC(), System.getenv());
    }

    RuntimeFixture(Path root, ProcessRuntime.Settings settings, Clock clock, Map<String, String> agentEnv) {
        this.logDir = root.resolve("logs");
        this.runtime = new ProcessRuntime(logDir, clock, timer, settings, agentEnv);
    }

    @Override
    public void close() {
        runtime.close();
        timer.shutdownNow();
    }
}
