package io.voltis.agent.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.voltis.agent.jobs.JobRequest;
import io.voltis.agent.jobs.JobRunner;
import io.voltis.agent.reconcile.CronJobs;
import io.voltis.sync.store.JobRun;
import io.voltis.sync.store.RevisionStore;
import io.voltis.sync.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real Quartz with short intervals; the work it drives is counted or run for real. */
class AgentSchedulerTest {

    @TempDir
    Path tmp;

    RevisionStore store;
    JobRunner runner;
    AgentScheduler scheduler;
    final AtomicInteger ticks = new AtomicInteger();
    final AtomicInteger polls = new AtomicInteger();
    final List<Boolean> pollResults = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        store = RevisionStore.openOwner(tmp.resolve("state"), new MutableClock(Instant.parse("2026-11-22T10:00:00Z")));
        runner = new JobRunner(store, 1, Map.of("PATH", System.getenv("PATH")), Clock.systemUTC(), tmp.resolve("state/jobs"),
                io.voltis.agent.runtime.process.ProcessMarks.forStateDir(tmp.resolve("state")));
        scheduler = new AgentScheduler(hinted -> {
            int n = polls.incrementAndGet();
            if (n == 2) {
                throw new IllegalStateException("a poll that blows up must not stop polling");
            }
            return n % 2 == 1;
        }, ok -> {
            pollResults.add(ok);
            return Duration.ofMillis(100);
        }, () -> {
            if (ticks.incrementAndGet() == 2) {
                throw new IllegalStateException("a tick that blows up must not stop ticking");
            }
        }, runner, Clock.systemUTC());
    }

    @AfterEach
    void tearDown() {
        scheduler.close();
        runner.close();
        store.close();
    }

    @Test
    void pollsRescheduleThemselves_andTicksRepeat_evenAfterAFailure() throws Exception {
        scheduler.start(Duration.ofMillis(50), Duration.ofMillis(100));

        await().atMost(Duration.ofSeconds(20)).until(() -> polls.get() >= 5 && ticks.get() >= 5);
        assertThat(pollResults.subList(0, 3)).containsExactly(true, false, true);
    }

    /** The poll job tells the poll whether it answers a hint: a hinted poll fetches without a ref check. */
    @Test
    void aPollMovedByAHint_isToldItIsHinted_andTheScheduledOnesAreNot() throws Exception {
        scheduler.close(); // Quartz hands out the running scheduler of the same name, so only one at a time
        List<Boolean> hinted = new CopyOnWriteArrayList<>();
        try (AgentScheduler own = new AgentScheduler(h -> hinted.add(h), ok -> Duration.ofHours(1), () -> { },
                runner, Clock.systemUTC())) {
            own.start(Duration.ofMillis(50), Duration.ofHours(1));
            await().atMost(Duration.ofSeconds(20)).until(() -> hinted.size() == 1);

            own.pollAt(Instant.now());
            await().atMost(Duration.ofSeconds(20)).until(() -> hinted.size() == 2);
            Thread.sleep(300); // no third poll: the next scheduled one is an hour away

            assertThat(hinted).containsExactly(false, true);
        }
    }

    @Test
    void cronJob_runsThroughTheJobRunner_andIsRecorded_andReplacingRemovesIt() throws Exception {
        scheduler.start(Duration.ofHours(1), Duration.ofHours(1));

        scheduler.replace(List.of(new CronJobs.Scheduled("rotate", "* * * * * ?",
                () -> new JobRequest("rotate", List.of("sh", "-c", "echo rotated"), Map.of(), tmp, Duration.ofSeconds(10),
                        "a".repeat(40), "schedule"))));

        assertThat(scheduler.scheduledJobs()).containsOnlyKeys("rotate");
        await().atMost(Duration.ofSeconds(20)).until(() -> store.jobRuns("rotate", 5).stream()
                .anyMatch(r -> r.result() == JobRun.Result.SUCCEEDED && "rotated\n".equals(r.output())));
        assertThat(store.jobRuns("rotate", 1).get(0).trigger()).isEqualTo("schedule");

        scheduler.replace(List.of());
        assertThat(scheduler.scheduledJobs()).isEmpty();
    }

    @Test
    void cronJobThatNeverFires_isLeftOut_andTheOtherJobsStillRun() throws Exception {
        scheduler.start(Duration.ofHours(1), Duration.ofHours(1));

        List<String> refused = scheduler.replace(List.of(
                new CronJobs.Scheduled("february-30", "0 0 0 30 2 ?",
                        () -> new JobRequest("february-30", List.of("sh", "-c", "echo never"), Map.of(), tmp,
                                Duration.ofSeconds(10), "a".repeat(40), "schedule")),
                new CronJobs.Scheduled("rotate", "* * * * * ?",
                        () -> new JobRequest("rotate", List.of("sh", "-c", "echo rotated"), Map.of(), tmp,
                                Duration.ofSeconds(10), "a".repeat(40), "schedule"))));

        assertThat(refused).singleElement().asString()
                .startsWith("cron job february-30 ('0 0 0 30 2 ?') is not scheduled: ").contains("never fire");
        assertThat(scheduler.scheduledJobs()).containsOnlyKeys("rotate");
        await().atMost(Duration.ofSeconds(20)).until(() -> store.jobRuns("rotate", 5).stream()
                .anyMatch(r -> r.result() == JobRun.Result.SUCCEEDED && "rotated\n".equals(r.output())));
        assertThat(store.jobRuns("february-30", 5)).isEmpty();
    }
}
