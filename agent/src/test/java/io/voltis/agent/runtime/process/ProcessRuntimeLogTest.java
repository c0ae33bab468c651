package io.voltis.agent.runtime.process;

import static io.voltis.agent.runtime.process.Processes.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import io.voltis.agent.runtime.ServiceStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessRuntimeLogTest {

    private static final int LIMIT = 4096;
    /** "line NNNN " + 90 x's + newline. */
    private static final int LINE = 101;

    @TempDir
    Path root;
    private RuntimeFixture fixture;

    @AfterEach
    void closeRuntime() {
        if (fixture != null) {
            fixture.close();
        }
    }

    private ProcessRuntime runtime(long logMaxBytes, int logFiles) {
        fixture = new RuntimeFixture(root, new ProcessRuntime.Settings(Duration.ofSeconds(5), Duration.ofMillis(100),
                Duration.ofMillis(400), logMaxBytes, logFiles));
        return fixture.runtime;
    }

    @Test
    void stdoutAndStderr_goToOnePrivateLogInAPrivateFolder() throws Exception {
        ProcessRuntime runtime = runtime(64 * 1024, 3);
        runtime.apply(Definitions.sh("web", root, "echo to-stdout; echo to-stderr >&2; exec sleep 1000").build());

        Path log = fixture.logDir.resolve("web.log");
        eventually().until(() -> Processes.read(log).equals("to-stdout\nto-stderr\n"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(log))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(fixture.logDir))).isEqualTo("rwx------");
    }

    @Test
    void status_showsTheLastTenLinesOfOutput() {
        ProcessRuntime runtime = runtime(64 * 1024, 3);
        runtime.apply(Definitions.sh("web", root, "for i in $(seq 1 15); do echo \"line $i\"; done; exec sleep 1000").build());

        List<String> expected = IntStream.rangeClosed(6, 15).mapToObj(i -> "line " + i).toList();
        eventually().until(() -> runtime.status("web").map(ServiceStatus::lastLogLines).orElseThrow(), expected::equals);
    }

    @Test
    void log_rotatesAtTheSizeLimitKeepingLogFilesOldOnes() throws Exception {
        ProcessRuntime runtime = runtime(LIMIT, 2);
        String script = "x=$(printf '%090d' 0 | tr 0 x); i=1000; while [ $i -lt 1400 ]; do echo \"line $i $x\"; "
                + "i=$((i+1)); done; echo done; exec sleep 1000";
        runtime.apply(Definitions.sh("chatty", root, script).build());

        Path dir = fixture.logDir;
        eventually().until(() -> Processes.read(dir.resolve("chatty.log")).endsWith("line 1399 " + "x".repeat(90) + "\ndone\n"));
        for (String rotated : List.of("chatty.log.1", "chatty.log.2")) {
            Path file = dir.resolve(rotated);
            assertThat(file).exists();
            assertThat(Files.size(file)).as(rotated).isBetween((long) LIMIT, (long) LIMIT + LINE - 1);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        }
        assertThat(dir.resolve("chatty.log.3")).doesNotExist();
        assertThat(Files.size(dir.resolve("chatty.log"))).isLessThan(LIMIT + LINE);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("chatty.log"))))
                .isEqualTo("rw-------");
        List<String> newestRotated = Files.readAllLines(dir.resolve("chatty.log.1"));
        List<String> active = Files.readAllLines(dir.resolve("chatty.log"));
        assertThat(lineNumber(newestRotated.get(newestRotated.size() - 1)) + 1)
                .as("rotation loses no line").isEqualTo(lineNumber(active.get(0)));
    }

    private static int lineNumber(String line) {
        return Integer.parseInt(line.split(" ")[1]);
    }
}
