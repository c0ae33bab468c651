package io.voltis.agent.packages.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ProcessRunner} with real child processes of /bin/sh. */
class ProcessRunnerTest {

    private final CommandRunner runner = CommandRunner.processes();

    @TempDir
    Path dir;

    @Test
    void run_exitCodeEnvAndMergedOutput_areReported() throws Exception {
        CommandRunner.Result result = runner.run(List.of("/bin/sh", "-c", "echo out; echo \"err $GREETING\" >&2; exit 7"),
                Map.of("GREETING", "hello"), Duration.ofSeconds(30));

        assertThat(result.exitCode()).isEqualTo(7);
        assertThat(result.timedOut()).isFalse();
        assertThat(result.output()).containsExactlyInAnyOrder("out", "err hello");
    }

    @Test
    void run_commandReadingStdin_seesEndOfInputInsteadOfWaiting() throws Exception {
        CommandRunner.Result result = runner.run(List.of("/bin/sh", "-c", "read answer; echo \"got '$answer'\""),
                Map.of(), Duration.ofSeconds(30));

        assertThat(result.succeeded()).isTrue();
        assertThat(result.output()).containsExactly("got ''");
    }

    @Test
    void run_chattyCommand_keepsOnlyTheBoundedTail() throws Exception {
        CommandRunner.Result result = runner.run(List.of("/bin/sh", "-c",
                        "i=0; while [ $i -lt 2000 ]; do echo line $i; i=$((i+1)); done; head -c 5000 /dev/zero | tr '\\0' x"),
                Map.of(), Duration.ofSeconds(30));

        assertThat(result.output()).hasSize(50);
        assertThat(result.output().get(0)).isEqualTo("line 1951");
        assertThat(result.lastLine()).hasSize(501).startsWith("xxxx").endsWith("…");
    }

    @Test
    void run_pastTimeout_killsTheCommandAndItsChildren() throws Exception {
        Path pid = dir.resolve("child.pid");
        CommandRunner.Result result = runner.run(List.of("/bin/sh", "-c",
                        "echo started; sleep 60 & echo $! > '" + pid + "'; wait"),
                Map.of(), Duration.ofMillis(500));

        assertThat(result.timedOut()).isTrue();
        assertThat(result.succeeded()).isFalse();
        assertThat(result.output()).containsExactly("started");
        long child = Long.parseLong(Files.readString(pid).strip());
        await().atMost(Duration.ofSeconds(10))
                .until(() -> ProcessHandle.of(child).map(h -> !h.isAlive()).orElse(true));
    }

    @Test
    void run_missingProgram_throwsIOException() {
        org.assertj.core.api.Assertions.assertThatIOException()
                .isThrownBy(() -> runner.run(List.of(dir.resolve("nope").toString()), Map.of(), Duration.ofSeconds(5)));
    }
}
