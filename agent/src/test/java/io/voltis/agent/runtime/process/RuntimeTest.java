package io.voltis.agent.runtime.process;

import java.nio.file.Path;

import io.voltis.agent.runtime.ServiceStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** A process runtime made on first use in a temp root, with fast backoff, closed after each test. */
abstract class RuntimeTest {

    @TempDir
    Path root;
    RuntimeFixture fixture;

    @AfterEach
    void closeRuntime() {
        if (fixture != null) {
            fixture.close();
        }
    }

    ProcessRuntime runtime() {
        if (fixture == null) {
            fixture = new RuntimeFixture(root, RuntimeFixture.FAST);
        }
        return fixture.runtime;
    }

    ServiceStatus status(String name) {
        return runtime().status(name).orElseThrow();
    }
}
