package io.voltis.agent.runtime.process;

import static io.voltis.agent.runtime.process.Processes.alive;
import static io.voltis.agent.runtime.process.Processes.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.voltis.model.RestartPolicy;
import org.junit.jupiter.api.Test;

/**
 * Services that leave their process group ({@code setsid}, a double fork), as daemons do: the
 * runtime finds what they started by the mark in their environment, on restart, on stop and at
 * the start of the next agent.
 */
class ProcessRuntimeEscapeTest extends RuntimeTest {

    /** A service whose daemon escapes with setsid and records its pid; the service itself stays. */
    private static final String DAEMONIZING = "setsid sh -c 'echo $$ >> daemons; exec sleep 1000' </dev/null >/dev/null 2>&1 &"
            + " exec sleep 1000";

    private List<Long> daemons() throws IOException {
        Path file = root.resolve("daemons");
        return Files.exists(file) ? Files.readAllLines(file).stream().filter(l -> !l.isBlank()).map(Long::parseLong).toList()
                : List.of();
    }

    private long liveDaemons() throws IOException {
        return daemons().stream().filter(Processes::alive).count();
    }

    @Test
    void setsidDaemon_restartedFiveTimes_leavesOnlyTheCurrentOne_andStopEndsIt() throws Exception {
        for (int i = 1; i <= 5; i++) {
            int n = i;
            runtime().apply(Definitions.sh("daemonizer", root, DAEMONIZING).fingerprint("v" + i).build());
            eventually().until(() -> daemons().size() == n);
        }

        eventually().until(() -> liveDaemons() == 1);
        assertThat(alive(daemons().get(4))).as("the current run's daemon").isTrue();

        runtime().remove("daemonizer");
        assertThat(liveDaemons()).as("stop reaches the daemon outside the group").isZero();
    }

    @Test
    void setsidDaemon_whoseStarterExits_isEndedBeforeTheRestart() throws Exception {
        runtime().apply(Definitions.sh("forker", root,
                "setsid sh -c 'echo $$ >> daemons; exec sleep 1000' </dev/null >/dev/null 2>&1 & sleep 0.2; exit 1")
                .restart(RestartPolicy.ALWAYS).build());

        eventually().until(() -> daemons().size() >= 4);

        assertThat(liveDaemons()).as("one daemon at most: the latest start's").isLessThanOrEqualTo(1);
    }

    @Test
    void markedProcessOfAKilledAgent_isEndedWhenTheNextRuntimeStarts() throws Exception {
        Path logDir = root.resolve("logs");
        Files.createDirectories(logDir);
        ProcessMarks marks = ProcessMarks.forStateDir(logDir);
        ProcessBuilder orphan = new ProcessBuilder("setsid", "sleep", "1000")
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
        orphan.environment().put(ProcessMarks.SERVICE_VAR, marks.service("left-behind"));
        Process left = orphan.start();
        ProcessBuilder stranger = new ProcessBuilder("setsid", "sleep", "1000")
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
        stranger.environment().putAll(Map.of(ProcessMarks.SERVICE_VAR, "0123456789abcdef/service/left-behind"));
        Process other = stranger.start();
        try {
            eventually().until(() -> marks.find(ProcessMarks.SERVICE_VAR, marks.service("left-behind")).size() == 1);

            runtime(); // a new agent's runtime on the same state

            assertThat(left.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(other.isAlive()).as("another agent's process (another token) is not touched").isTrue();
        } finally {
            left.destroyForcibly();
            other.destroyForcibly();
        }
    }

    @Test
    void carries_matchesWholeEntriesOrPrefixes_only() {
        byte[] environ = "PATH=/bin\0VOLTIS_SERVICE_ID=abc/service/web\0X=1".getBytes();

        assertThat(ProcessMarks.carries(environ, "VOLTIS_SERVICE_ID=abc/service/web".getBytes(), false)).isTrue();
        assertThat(ProcessMarks.carries(environ, "VOLTIS_SERVICE_ID=abc/service/we".getBytes(), false)).isFalse();
        assertThat(ProcessMarks.carries(environ, "VOLTIS_SERVICE_ID=abc/".getBytes(), true)).isTrue();
        assertThat(ProcessMarks.carries(environ, "X=1".getBytes(), false)).isTrue();
        assertThat(ProcessMarks.carries(environ, "VOLTIS_SERVICE_ID=abd/".getBytes(), true)).isFalse();
    }
}
