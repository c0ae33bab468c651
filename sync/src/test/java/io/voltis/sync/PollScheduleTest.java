package io.voltis.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

class PollScheduleTest {

    private static final Duration INTERVAL = Duration.ofSeconds(30);

    @Test
    void firstDelay_isAStablePhaseWithinTheInterval_spreadOverTheFleet() {
        Set<Long> seconds = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            PollSchedule s = new PollSchedule(INTERVAL, Duration.ofMinutes(5), "edge-" + i, new Random(1));
            Duration phase = s.firstDelay();
            assertThat(phase).isBetween(Duration.ZERO, INTERVAL);
            assertThat(new PollSchedule(INTERVAL, Duration.ofMinutes(5), "edge-" + i, new Random(2)).firstDelay())
                    .isEqualTo(phase);
            seconds.add(phase.toSeconds());
        }
        assertThat(seconds).as("1,000 devices cover every second of the interval").hasSize(30);
    }

    @Test
    void next_staysWithinFivePercent_andVaries() {
        PollSchedule s = new PollSchedule(INTERVAL, Duration.ofMinutes(5), "edge-1", new Random(7));
        Set<Duration> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            Duration d = s.next(true);
            assertThat(d).isBetween(Duration.ofMillis(28_500), Duration.ofMillis(31_500));
            seen.add(d);
        }
        assertThat(seen.size()).isGreaterThan(100);
    }

    @Test
    void failures_backOffExponentiallyToTheCap_andResetOnSuccess() {
        PollSchedule s = new PollSchedule(INTERVAL, Duration.ofMinutes(5), "edge-1", new Random(7));
        long[] expected = {60, 120, 240, 300, 300};
        for (long seconds : expected) {
            assertThat(s.next(false).toMillis()).isBetween(Math.round(seconds * 950.0), Math.round(seconds * 1050.0));
        }
        assertThat(s.failures()).isEqualTo(5);
        assertThat(s.next(true)).isBetween(Duration.ofMillis(28_500), Duration.ofMillis(31_500));
        assertThat(s.failures()).isZero();
    }
}
