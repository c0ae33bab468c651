package io.voltis.sync.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import io.voltis.sync.testing.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobRunsTest {

    @TempDir
    Path state;

    final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T10:00:00Z"));

    @Test
    void runs_areRecordedNewestFirst_perJobAndOverall() {
        try (RevisionStore store = RevisionStore.openOwner(state, clock)) {
            long a = store.jobStarted("migrate", "a".repeat(40), "per-revision");
            clock.advance(Duration.ofSeconds(2));
            store.jobFinished(a, JobRun.Result.SUCCEEDED, 0, "done\n");
            long b = store.jobStarted("init", null, "once");
            store.jobFinished(b, JobRun.Result.FAILED, 3, "boom");

            assertThat(store.jobRuns(null, 10)).extracting(JobRun::job).containsExactly("init", "migrate");
            JobRun migrate = store.jobRuns("migrate", 10).get(0);
            assertThat(migrate.result()).isEqualTo(JobRun.Result.SUCCEEDED);
            assertThat(migrate.exitCode()).isZero();
            assertThat(migrate.output()).isEqualTo("done\n");
            assertThat(migrate.finishedAt()).isEqualTo(Instant.parse("2026-11-22T10:00:02Z"));
            assertThat(store.jobRuns("init", 10).get(0).exitCode()).isEqualTo(3);
            assertThatThrownBy(() -> store.jobFinished(a, JobRun.Result.FAILED, 1, "again"))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void runLeftRunning_staysRunningWhenTheOwnerOpensAgain_forTheJobRunnerToJudge() {
        try (RevisionStore store = RevisionStore.openOwner(state, clock)) {
            store.jobStarted("init", null, "once");
        }
        try (RevisionStore store = RevisionStore.openOwner(state, clock)) {
            JobRun run = store.jobRuns("init", 1).get(0);
            assertThat(run.result()).as("the job may have outlived the agent").isEqualTo(JobRun.Result.RUNNING);
        }
    }
}
