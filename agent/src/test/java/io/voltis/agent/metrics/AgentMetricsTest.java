package io.voltis.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.voltis.agent.reconcile.AgentStatus;
import io.voltis.agent.reconcile.Phase;
import io.voltis.agent.runtime.ServiceStatus;
import io.voltis.agent.runtime.ServiceStatus.Actual;
import io.voltis.sync.PollResult;
import io.voltis.sync.git.Reason;
import io.voltis.sync.store.Pin;
import io.voltis.sync.store.SourceState;
import io.voltis.sync.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What a Prometheus scrape of the agent shows, read line by line as Prometheus would. */
class AgentMetricsTest {

    static final Instant T0 = Instant.parse("2025-03-01T12:00:00.250Z");
    static final String SHA_A = "a".repeat(40);
    static final String SHA_B = "b".repeat(40);
    static final SourceState REACHABLE = new SourceState(T0, T0, SHA_A, true, null, null, null);

    final AtomicReference<AgentStatus> status = new AtomicReference<>(status(Phase.SYNCED, SHA_A, SHA_A));
    final MutableClock clock = new MutableClock(T0);
    final AgentMetrics metrics = new AgentMetrics(status::get, clock);

    @AfterEach
    void close() {
        metrics.close();
    }

    static AgentStatus status(Phase phase, String desired, String applied, ServiceStatus... services) {
        return new AgentStatus("dev1", applied == null ? null : "gw", phase, desired, applied, null, REACHABLE,
                List.of(), List.of(services), List.of(), null, T0);
    }

    static ServiceStatus service(String name, Actual actual, Boolean healthy, int restarts) {
        return new ServiceStatus(name, "running", actual, healthy, restarts, T0, null, List.of(), null);
    }

    static List<String> lines(String scrape) {
        return scrape.lines().toList();
    }

    /** The value of the one sample line whose series is exactly {@code series}. */
    static double value(String scrape, String series) {
        List<String> found = lines(scrape).stream().filter(l -> l.startsWith(series + " ")).toList();
        assertThat(found).as("sample %s in%n%s", series, scrape).hasSize(1);
        return Double.parseDouble(found.get(0).substring(series.length() + 1));
    }

    @Test
    void polledOfEachKind_countedByResult_failedOnesByReasonWord() {
        metrics.polled(new PollResult.Fetched(SHA_A, null, 1234, false), Duration.ofMillis(20));
        metrics.polled(new PollResult.Fetched(SHA_B, SHA_A, 99, true), Duration.ofMillis(20));
        metrics.polled(new PollResult.Unchanged(SHA_B), Duration.ofMillis(2));
        metrics.polled(new PollResult.Failed(Reason.GIT_UNREACHABLE, "connect timed out"), Duration.ofSeconds(10));

        String scrape = metrics.scrape();

        assertThat(lines(scrape)).contains(
                "# TYPE voltis_polls_total counter",
                "voltis_polls_total{result=\"fetched\"} 2.0",
                "voltis_polls_total{result=\"unchanged\"} 1.0",
                "voltis_polls_total{reason=\"GitUnreachable\",result=\"failed\"} 1.0",
                "voltis_polls_total{reason=\"AuthenticationFailed\",result=\"failed\"} 0.0");
        assertThat(scrape).doesNotContain("connect timed out");
    }

    @Test
    void pollDuration_isAHistogramOfTheFixedBuckets() {
        metrics.polled(new PollResult.Unchanged(SHA_A), Duration.ofMillis(3));
        metrics.polled(new PollResult.Unchanged(SHA_A), Duration.ofMillis(80));
        metrics.polled(new PollResult.Failed(Reason.GIT_UNREACHABLE, "refused"), Duration.ofSeconds(2));

        String scrape = metrics.scrape();

        assertThat(lines(scrape)).contains(
                "# TYPE voltis_poll_duration_seconds histogram",
                "voltis_poll_duration_seconds_bucket{le=\"0.001\"} 0",
                "voltis_poll_duration_seconds_bucket{le=\"0.005\"} 1",
                "voltis_poll_duration_seconds_bucket{le=\"0.1\"} 2",
                "voltis_poll_duration_seconds_bucket{le=\"1.0\"} 2",
                "voltis_poll_duration_seconds_bucket{le=\"5.0\"} 3",
                "voltis_poll_duration_seconds_bucket{le=\"+Inf\"} 3",
                "voltis_poll_duration_seconds_count 3");
        assertThat(value(scrape, "voltis_poll_duration_seconds_sum")).isCloseTo(2.083, within());
        assertThat(lines(scrape)).filteredOn(l -> l.startsWith("voltis_poll_duration_seconds_bucket"))
                .as("10 fixed buckets and +Inf").hasSize(11);
    }

    @Test
    void tickedAndApplied_areHistogramsAndApplyCountsByResult() {
        metrics.ticked(Duration.ofMillis(7));
        metrics.applied(null, Duration.ofMillis(400));
        metrics.applied(io.voltis.agent.reconcile.ApplyReason.JOB_FAILED, Duration.ofSeconds(40));

        String scrape = metrics.scrape();

        assertThat(lines(scrape)).contains(
                "voltis_reconcile_tick_duration_seconds_bucket{le=\"0.01\"} 1",
                "voltis_reconcile_tick_duration_seconds_count 1",
                "voltis_applies_total{result=\"succeeded\"} 1.0",
                "voltis_applies_total{reason=\"JobFailed\",result=\"failed\"} 1.0",
                "voltis_applies_total{reason=\"PackageFailed\",result=\"failed\"} 0.0",
                "voltis_apply_duration_seconds_bucket{le=\"0.5\"} 1",
                "voltis_apply_duration_seconds_bucket{le=\"30.0\"} 1",
                "voltis_apply_duration_seconds_bucket{le=\"120.0\"} 2",
                "voltis_apply_duration_seconds_count 2");
    }

    @Test
    void lastSuccessfulTimestamps_areNaNUntilOneThenTheClockAtTheLastSuccess() {
        String before = metrics.scrape();
        assertThat(value(before, "voltis_last_successful_poll_timestamp_seconds")).isNaN();
        assertThat(value(before, "voltis_last_successful_apply_timestamp_seconds")).isNaN();

        metrics.polled(new PollResult.Unchanged(SHA_A), Duration.ofMillis(5));
        metrics.applied(null, Duration.ofSeconds(1));
        clock.advance(Duration.ofMinutes(5));
        metrics.polled(new PollResult.Failed(Reason.AUTHENTICATION_FAILED, "401"), Duration.ofMillis(5));
        metrics.applied(io.voltis.agent.reconcile.ApplyReason.JOB_FAILED, Duration.ofSeconds(1));

        String after = metrics.scrape();
        assertThat(value(after, "voltis_last_successful_poll_timestamp_seconds")).isEqualTo(1740830400.25);
        assertThat(value(after, "voltis_last_successful_apply_timestamp_seconds")).isEqualTo(1740830400.25);
    }

    @Test
    void lastSuccessfulPoll_withAFixedClock_isThatInstant() {
        try (AgentMetrics fixed = new AgentMetrics(status::get, Clock.fixed(T0.plusSeconds(60), ZoneOffset.UTC))) {
            fixed.polled(new PollResult.Fetched(SHA_A, null, 1, false), Duration.ofMillis(5));

            assertThat(value(fixed.scrape(), "voltis_last_successful_poll_timestamp_seconds")).isEqualTo(1740830460.25);
        }
    }

    @Test
    void driftCorrected_addsTheFiles() {
        metrics.driftCorrected(3);
        metrics.driftCorrected(0);
        metrics.driftCorrected(2);

        assertThat(lines(metrics.scrape())).contains("voltis_drift_corrections_total 5.0");
    }

    @Test
    void phase_allSixSeriesPresent_oneForTheCurrentPhase() {
        assertThat(lines(metrics.scrape())).contains(
                "voltis_phase{phase=\"Synced\"} 1.0",
                "voltis_phase{phase=\"NoWorkload\"} 0.0",
                "voltis_phase{phase=\"Progressing\"} 0.0",
                "voltis_phase{phase=\"Degraded\"} 0.0",
                "voltis_phase{phase=\"Failed\"} 0.0",
                "voltis_phase{phase=\"RolledBack\"} 0.0");

        status.set(status(Phase.DEGRADED, SHA_A, SHA_A));

        String scrape = metrics.scrape();
        assertThat(lines(scrape)).contains("voltis_phase{phase=\"Degraded\"} 1.0", "voltis_phase{phase=\"Synced\"} 0.0");
        assertThat(lines(scrape)).filteredOn(l -> l.startsWith("voltis_phase{")).hasSize(6);
    }

    @Test
    void appliedRevisionInfo_switchesToTheNewSha_oldSeriesGone() {
        assertThat(lines(metrics.scrape()))
                .contains("voltis_applied_revision_info{revision=\"" + SHA_A + "\",workload=\"gw\"} 1");

        status.set(status(Phase.SYNCED, SHA_B, SHA_B));

        String scrape = metrics.scrape();
        assertThat(lines(scrape)).contains("voltis_applied_revision_info{revision=\"" + SHA_B + "\",workload=\"gw\"} 1");
        assertThat(scrape).doesNotContain(SHA_A);
        assertThat(lines(scrape)).filteredOn(l -> l.startsWith("voltis_applied_revision_info{")).hasSize(1);
    }

    @Test
    void appliedRevisionInfo_absentWhileNothingApplied() {
        status.set(status(Phase.PROGRESSING, null, null));

        assertThat(lines(metrics.scrape())).noneMatch(l -> l.startsWith("voltis_applied_revision_info{"));
    }

    @ParameterizedTest(name = "desired {0}, applied {1} -> {2}")
    @CsvSource(nullValues = "-", value = {
        "-,   -,   0.0",
        "aaa, aaa, 0.0",
        "bbb, aaa, 1.0",
        "aaa, -,   1.0",
        "-,   aaa, 0.0",
    })
    void desiredRevisionDiffers_oneOnlyWhileLagging(String desired, String applied, String expected) {
        status.set(status(Phase.PROGRESSING, desired, applied));

        assertThat(lines(metrics.scrape())).contains("voltis_desired_revision_differs " + expected);
    }

    @Test
    void pinnedAndSourceReachable_followTheStatus() {
        assertThat(lines(metrics.scrape())).contains("voltis_pinned 0.0", "voltis_source_reachable 1.0");

        SourceState down = new SourceState(T0, T0, SHA_A, false, "GitUnreachable", "connect refused", T0);
        status.set(new AgentStatus("dev1", "gw", Phase.SYNCED, SHA_A, SHA_A, new Pin(SHA_A, Pin.Source.CLI, T0), down,
                List.of(), List.of(), List.of(), null, T0));

        assertThat(lines(metrics.scrape())).contains("voltis_pinned 1.0", "voltis_source_reachable 0.0");
    }

    @Test
    void rollout_waitingInfoAndEligibleTime_followTheStatus_andGoWithThePlan() {
        assertThat(lines(metrics.scrape())).contains("voltis_rollout_waiting 0.0")
                .noneMatch(l -> l.startsWith("voltis_rollout_info{") || l.startsWith("voltis_rollout_eligible_timestamp_seconds{"));

        java.time.Instant eligible = T0.plusSeconds(7200);
        AgentStatus.Rollout waiting = new AgentStatus.Rollout("gw", "waiting", SHA_B, SHA_B, "early", T0, eligible,
                "waiting: wave early (10%, after 2h) of release bbb eligible at …", "waiting: …");
        status.set(status(Phase.SYNCED, SHA_A, SHA_A).withHints(List.of()).withRollout(waiting));
        String scrape = metrics.scrape();

        assertThat(value(scrape, "voltis_rollout_waiting")).isEqualTo(1.0);
        assertThat(value(scrape, "voltis_rollout_info{release=\"" + SHA_B + "\",state=\"waiting\",wave=\"early\",workload=\"gw\"}"))
                .isEqualTo(1.0);
        assertThat(value(scrape, "voltis_rollout_eligible_timestamp_seconds{wave=\"early\",workload=\"gw\"}"))
                .isEqualTo((double) eligible.getEpochSecond());

        status.set(status(Phase.SYNCED, SHA_B, SHA_B).withRollout(new AgentStatus.Rollout("gw", "current", SHA_B, SHA_B, "early",
                T0, eligible, null, "runs release bbb already")));
        scrape = metrics.scrape();
        assertThat(value(scrape, "voltis_rollout_waiting")).isEqualTo(0.0);
        assertThat(lines(scrape)).noneMatch(l -> l.startsWith("voltis_rollout_info{") && l.contains("state=\"waiting\""));

        status.set(status(Phase.SYNCED, SHA_B, SHA_B));
        assertThat(lines(metrics.scrape())).noneMatch(l -> l.startsWith("voltis_rollout_info{"));
    }

    @ParameterizedTest(name = "{0}, healthy {1} -> up {2}")
    @CsvSource(nullValues = "-", value = {
        "RUNNING, -,     1.0",
        "RUNNING, true,  1.0",
        "RUNNING, false, 0.0",
        "BACKOFF, -,     0.0",
        "FAILED,  -,     0.0",
        "STOPPED, -,     0.0",
    })
    void serviceUp_onlyWhenRunningAndNotFailingItsCheck(Actual actual, Boolean healthy, String up) {
        status.set(status(Phase.SYNCED, SHA_A, SHA_A, service("web", actual, healthy, 0)));

        assertThat(lines(metrics.scrape())).contains("voltis_service_up{service=\"web\"} " + up);
    }

    @Test
    void services_seriesFollowTheCurrentList_aGoneServiceIsGoneFromTheScrape() {
        status.set(status(Phase.DEGRADED, SHA_A, SHA_A,
                service("web", Actual.RUNNING, true, 0), service("db", Actual.BACKOFF, null, 4)));

        String both = metrics.scrape();
        assertThat(lines(both)).contains(
                "voltis_service_up{service=\"web\"} 1.0",
                "voltis_service_up{service=\"db\"} 0.0",
                "voltis_service_healthy{service=\"web\"} 1.0",
                "# TYPE voltis_service_restarts_total counter",
                "voltis_service_restarts_total{service=\"web\"} 0.0",
                "voltis_service_restarts_total{service=\"db\"} 4.0");
        assertThat(both).as("health unknown: no series").doesNotContain("voltis_service_healthy{service=\"db\"}");

        status.set(status(Phase.SYNCED, SHA_A, SHA_A, service("web", Actual.RUNNING, false, 2)));

        String one = metrics.scrape();
        assertThat(lines(one)).contains(
                "voltis_service_up{service=\"web\"} 0.0",
                "voltis_service_healthy{service=\"web\"} 0.0",
                "voltis_service_restarts_total{service=\"web\"} 2.0");
        assertThat(one).doesNotContain("service=\"db\"");
    }

    @Test
    void jvmBasics_present() {
        String scrape = metrics.scrape();

        assertThat(scrape).contains("jvm_memory_used_bytes{area=\"heap\"", "jvm_threads_live_threads ",
                "jvm_classes_loaded_classes ", "process_cpu_usage ", "process_uptime_seconds ",
                "jvm_gc_");
    }

    @Test
    void scrape_everyCommentIsHelpOrTypeOfAKnownType() {
        metrics.polled(new PollResult.Unchanged(SHA_A), Duration.ofMillis(1));
        status.set(status(Phase.SYNCED, SHA_A, SHA_A, service("web", Actual.RUNNING, true, 1)));

        assertThat(lines(metrics.scrape())).filteredOn(l -> l.startsWith("#")).isNotEmpty().allSatisfy(l ->
                assertThat(l).matches("# HELP [a-z_:][a-z0-9_:]* .*|# TYPE [a-z_:][a-z0-9_:]* (counter|gauge|histogram)"));
    }

    @Test
    void scrape_noHostnameMessageOrCredentialInAnyLabel() {
        String secret = "s3cr3t-t0ken";
        SourceState failing = new SourceState(T0, null, null, false, "AuthenticationFailed",
                "https://voltis:" + secret + "@git.example.com/fleet.git: not authorized", T0);
        status.set(new AgentStatus("edge-gw-0042", "gw", Phase.FAILED, SHA_B, SHA_A, null, failing, List.of(),
                List.of(new ServiceStatus("web", "running", Actual.FAILED, false, 3, T0, 1, List.of("token=" + secret),
                        "exited 1")), List.of(), "revision invalid: " + secret, T0));
        metrics.polled(new PollResult.Failed(Reason.AUTHENTICATION_FAILED, "token " + secret + " refused"),
                Duration.ofMillis(1));

        String scrape = metrics.scrape();

        assertThat(scrape).doesNotContain(secret).doesNotContain("edge-gw-0042").doesNotContain("example.com");
        Matcher labels = Pattern.compile("([a-z_]+)=\"").matcher(scrape.replaceAll("(?m)^#.*$", ""));
        while (labels.find()) {
            assertThat(labels.group(1)).isIn("result", "reason", "le", "phase", "revision", "workload", "service",
                    // Micrometer's JVM binders
                    "area", "id", "state", "gc", "action", "cause");
        }
    }

    static org.assertj.core.data.Offset<Double> within() {
        return org.assertj.core.data.Offset.offset(1e-9);
    }
}
