package io.voltis.agent.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.voltis.agent.runtime.process.ProcessMarks;
import io.voltis.sync.store.JobRun;
import io.voltis.sync.store.RevisionStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs a killed agent left behind: started here exactly as the runner starts them (the wrapper,
 * the mark, the files), then judged by a new runner on the same state, as after a kill -9.
 */
class JobRunnerLeftoverTest {

    private static final String REV = "b".repeat(40);

    @TempDir
    Path tmp;

    RevisionStore store;
    ProcessMarks marks;
    RunFiles files;
    final List<JobRunner> runners = new ArrayList<>();
    final List<Process> leftovers = new ArrayList<>();

    @BeforeEach
    void setUp() {
        store = RevisionStore.openOwner(tmp.resolve("state"), Clock.systemUTC());
        marks = ProcessMarks.forStateDir(tmp.resolve("state"));
        files = new RunFiles(tmp.resolve("state/jobs"));
    }

    @AfterEach
    void tearDown() {
        runners.forEach(JobRunner::close);
        leftovers.forEach(Process::destroyForcibly);
        store.close();
    }

    /** What the killed agent had started: the run recorded, then its process, which outlives the agent. */
    private long leftover(String job, String trigger, String script) throws Exception {
        long id = store.jobStarted(job, REV, trigger);
        files.prepare(id, Duration.ofMinutes(1));
        List<String> command = new ArrayList<>(List.of("setsid"));
        command.addAll(files.wrapper(id));
        command.addAll(List.of("sh", "-c", script));
        ProcessBuilder builder = new ProcessBuilder(command).directory(tmp.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(files.log(id).toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().put(ProcessMarks.JOB_VAR, marks.job(id));
        leftovers.add(builder.start());
        return id;
    }

    private JobRunner newAgentsRunner() {
        JobRunner runner = new JobRunner(store, 2, Map.of("PATH", System.getenv("PATH")), Clock.systemUTC(),
                tmp.resolve("state/jobs"), marks);
        runners.add(runner);
        return runner;
    }

    private JobRequest request(String job, String trigger, String script) {
        return new JobRequest(job, List.of("sh", "-c", script), Map.of(), tmp, Duration.ofMinutes(1), REV, trigger);
    }

    @Test
    void perRevisionRunStillGoing_isWaitedFor_andTheResubmittedRunTakesItsResultWithoutRunningAgain() throws Exception {
        String script = "echo start >> runs.log; sleep 2; echo end >> runs.log; echo migrated";
        long id = leftover("migrate", "per-revision", script);
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(tmp.resolve("runs.log")));

        JobRunner runner = newAgentsRunner();
        JobRunner.Outcome outcome = runner.submit(request("migrate", "per-revision", script)).get(60, TimeUnit.SECONDS);

        assertThat(outcome.result()).isEqualTo(JobRun.Result.SUCCEEDED);
        assertThat(Files.readAllLines(tmp.resolve("runs.log"))).as("one run, never two at once").containsExactly("start", "end");
        List<JobRun> runs = store.jobRuns("migrate", 10);
        assertThat(runs).hasSize(1);
        assertThat(runs.get(0)).extracting(JobRun::id, JobRun::result, JobRun::exitCode)
                .containsExactly(id, JobRun.Result.SUCCEEDED, 0);
        assertThat(runs.get(0).output()).contains("migrated").contains("ran on after the previous agent stopped");
        assertThat(tmp.resolve("state/jobs")).isEmptyDirectory();
    }

    @Test
    void onceRunThatFinishedWhileNoAgentRan_getsTheResultItWrote() throws Exception {
        long id = leftover("init", "once", "echo initialised; exit 3");
        assertThat(leftovers.get(0).waitFor(30, TimeUnit.SECONDS)).isTrue();

        newAgentsRunner();

        JobRun run = store.jobRuns("init", 1).get(0);
        assertThat(run).extracting(JobRun::id, JobRun::result, JobRun::exitCode).containsExactly(id, JobRun.Result.FAILED, 3);
        assertThat(run.output()).contains("initialised").contains("finished while no agent was running");
    }

    @Test
    void scheduledRunStillGoing_isEnded_andInterrupted() throws Exception {
        long id = leftover("rotate", "schedule", "echo rotating; exec sleep 1000");
        await().atMost(Duration.ofSeconds(10)).until(() -> !marks.find(ProcessMarks.JOB_VAR, marks.job(id)).isEmpty());

        newAgentsRunner();

        assertThat(leftovers.get(0).waitFor(30, TimeUnit.SECONDS)).as("ended").isTrue();
        JobRun run = store.jobRuns("rotate", 1).get(0);
        assertThat(run.result()).isEqualTo(JobRun.Result.INTERRUPTED);
        assertThat(run.output()).contains("ended at agent start");
    }

    @Test
    void runThatLeftNothing_isInterrupted() {
        long id = store.jobStarted("migrate", REV, "per-revision");

        newAgentsRunner();

        JobRun run = store.jobRuns("migrate", 1).get(0);
        assertThat(run).extracting(JobRun::id, JobRun::result).containsExactly(id, JobRun.Result.INTERRUPTED);
        assertThat(run.output()).contains("the agent stopped during this run");
    }

    @Test
    void perRevisionRunThatFailed_whileNoAgentRan_isRunAgainWhenResubmitted() throws Exception {
        leftover("migrate", "per-revision", "echo try >> runs.log; exit 1");
        assertThat(leftovers.get(0).waitFor(30, TimeUnit.SECONDS)).isTrue();

        JobRunner.Outcome outcome = newAgentsRunner().submit(request("migrate", "per-revision", "echo try >> runs.log"))
                .get(60, TimeUnit.SECONDS);

        assertThat(outcome.ok()).isTrue();
        assertThat(store.jobRuns("migrate", 10)).extracting(JobRun::result)
                .containsExactly(JobRun.Result.SUCCEEDED, JobRun.Result.FAILED);
    }
}
