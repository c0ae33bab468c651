package io.voltis.agent.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.voltis.sync.store.JobRun;
import io.voltis.sync.store.RevisionStore;
import io.voltis.sync.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Jobs as real child processes, recorded in a real H2 store. */
class JobRunnerTest {

    @TempDir
    Path tmp;

    RevisionStore store;
    JobRunner runner;

    @BeforeEach
    void setUp() {
        store = RevisionStore.openOwner(tmp.resolve("state"), new MutableClock(Instant.parse("2026-11-22T10:00:00Z")));
        runner = new JobRunner(store, 2, Map.of("PATH", System.getenv("PATH")), java.time.Clock.systemUTC(),
                tmp.resolve("state/jobs"), io.voltis.agent.runtime.process.ProcessMarks.forStateDir(tmp.resolve("state")));
    }

    @AfterEach
    void tearDown() {
        runner.close();
        store.close();
    }

    private JobRequest job(String name, Duration timeout, String... argv) {
        return new JobRequest(name, List.of(argv), Map.of("GREETING", "hi"), tmp, timeout, "a".repeat(40), "per-revision");
    }

    @Test
    void success_capturesOutput_inTheWorkingDirWithItsEnv() throws Exception {
        Files.writeString(tmp.resolve("marker"), "here");

        JobRunner.Outcome o = runner.submit(job("greet", Duration.ofSeconds(30), "sh", "-c", "cat marker; echo \" $GREETING\"")).get(30, TimeUnit.SECONDS);

        assertThat(o.result()).isEqualTo(JobRun.Result.SUCCEEDED);
        assertThat(o.output()).isEqualTo("here hi\n");
        assertThat(store.jobRuns("greet", 1).get(0).result()).isEqualTo(JobRun.Result.SUCCEEDED);
    }

    @Test
    void failure_recordsExitCodeAndOutput() throws Exception {
        JobRunner.Outcome o = runner.submit(job("fail", Duration.ofSeconds(30), "sh", "-c", "echo broken >&2; exit 3")).get(30, TimeUnit.SECONDS);

        assertThat(o.result()).isEqualTo(JobRun.Result.FAILED);
        assertThat(o.exitCode()).isEqualTo(3);
        JobRun run = store.jobRuns("fail", 1).get(0);
        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.output()).isEqualTo("broken\n");
    }

    @Test
    void hangPastTimeout_isKilledWithItsChildren() throws Exception {
        Path pidFile = tmp.resolve("child.pid");

        JobRunner.Outcome o = runner.submit(job("hang", Duration.ofMillis(500), "sh", "-c",
                "sleep 1000 & echo $! > child.pid; wait")).get(30, TimeUnit.SECONDS);

        assertThat(o.result()).isEqualTo(JobRun.Result.TIMED_OUT);
        assertThat(o.output()).contains("killed after the timeout of 500ms");
        long child = Long.parseLong(Files.readString(pidFile).strip());
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> ProcessHandle.of(child).map(h -> !h.isAlive()).orElse(true));
    }

    @Test
    void missingProgram_isAFailedRunWithTheReason() throws Exception {
        JobRunner.Outcome o = runner.submit(job("missing", Duration.ofSeconds(30), "/no/such/tool")).get(30, TimeUnit.SECONDS);

        assertThat(o.result()).isEqualTo(JobRun.Result.FAILED);
        assertThat(o.output()).contains("/no/such/tool");
    }

    @Test
    void burst_runsAtMostTheWorkerCountAtOnce() throws Exception {
        Path log = tmp.resolve("concurrency.log");
        List<CompletableFuture<JobRunner.Outcome>> runs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            runs.add(runner.submit(job("burst-" + i, Duration.ofSeconds(30), "sh", "-c",
                    "echo start >> " + log + "; sleep 1; echo end >> " + log)));
        }
        for (var r : runs) {
            assertThat(r.get(60, TimeUnit.SECONDS).ok()).isTrue();
        }
        int running = 0;
        int peak = 0;
        for (String line : Files.readAllLines(log)) {
            running += line.equals("start") ? 1 : -1;
            peak = Math.max(peak, running);
        }
        assertThat(peak).isEqualTo(2);
    }
}
