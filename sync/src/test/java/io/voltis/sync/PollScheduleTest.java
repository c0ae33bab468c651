package io.voltis.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import io.voltis.sync.testing.MutableClock;
import org.junit.jupiter.api.Test;

class PollScheduleTest {

    private static final Duration INTERVAL = Duration.ofSeconds(30);
    private static final long JITTER_MS = 1_500; // 5 % of 30 s

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-07T08:00:00.250Z"));

    private PollSchedule schedule(String host, long seed) {
        return new PollSchedule(INTERVAL, Duration.ofMinutes(5), host, new Random(seed), clock);
    }

    /** How far {@code at} is from this schedule's nearest slot, in milliseconds (signed). */
    private static long offSlot(PollSchedule s, Instant at) {
        long i = INTERVAL.toMillis();
        long off = Math.floorMod(at.toEpochMilli() - s.phase().toMillis(), i);
        return off > i / 2 ? off - i : off;
    }

    @Test
    void phase_isStablePerHost_andSpreadOverTheFleet() {
        Set<Long> seconds = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            PollSchedule s = schedule("edge-" + i, 1);
            assertThat(s.phase()).isBetween(Duration.ZERO, INTERVAL);
            assertThat(schedule("edge-" + i, 2).phase()).isEqualTo(s.phase());
            Duration first = s.firstDelay();
            assertThat(first).isBetween(Duration.ZERO, INTERVAL);
            assertThat(offSlot(s, clock.instant().plus(first))).isZero();
            seconds.add(s.phase().toSeconds());
        }
        assertThat(seconds).as("1,000 devices cover every second of the interval").hasSize(30);
    }

    @Test
    void next_landsOnTheSlot_withinTheJitter_andVaries() {
        PollSchedule s = schedule("edge-1", 7);
        clock.advance(s.firstDelay());
        Set<Duration> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            Duration d = s.next(true);
            assertThat(d).isBetween(INTERVAL.minusMillis(2 * JITTER_MS), INTERVAL.plusMillis(2 * JITTER_MS));
            clock.advance(d);
            assertThat(Math.abs(offSlot(s, clock.instant()))).as("poll %d", i).isLessThanOrEqualTo(JITTER_MS);
            seen.add(d);
        }
        assertThat(seen.size()).isGreaterThan(100);
    }

    @Test
    void jitter_doesNotAccumulate_overAThousandPolls() {
        PollSchedule s = schedule("edge-9", 3);
        clock.advance(s.firstDelay());
        for (int i = 0; i < 1000; i++) {
            clock.advance(s.next(true).plusMillis(400)); // each poll takes 0.4 s too
        }
        assertThat(Math.abs(offSlot(s, clock.instant()))).isLessThanOrEqualTo(JITTER_MS + 400);
    }

    @Test
    void aClumpedFleet_isBackOnItsSlots_withinOneInterval() {
        // 1,000 devices poll in the same second (after an outage); their next polls spread again
        int[] perSecond = new int[60];
        Instant clump = clock.instant();
        for (int i = 0; i < 1000; i++) {
            PollSchedule s = schedule("edge-" + i, i);
            clock.set(clump.plusMillis(i % 1000));
            Duration d = s.next(true);
            assertThat(d).isBetween(INTERVAL.dividedBy(2).minusMillis(JITTER_MS), INTERVAL.multipliedBy(3).dividedBy(2)
                    .plusMillis(JITTER_MS));
            Instant at = clock.instant().plus(d);
            assertThat(Math.abs(offSlot(s, at))).isLessThanOrEqualTo(JITTER_MS);
            perSecond[(int) Duration.between(clump, at).toSeconds()]++;
        }
        int busiest = 0;
        for (int n : perSecond) {
            busiest = Math.max(busiest, n);
        }
        double mean = 1000.0 / 30;
        assertThat(busiest / mean).as("busiest second over the mean").isLessThanOrEqualTo(2.0);
    }

    @Test
    void failures_backOffExponentiallyToTheCap_onSlots_andResetOnSuccess() {
        PollSchedule s = schedule("edge-1", 7);
        clock.advance(s.firstDelay());
        long[] expected = {60, 120, 240, 300, 300};
        for (long seconds : expected) {
            Duration d = s.next(false);
            assertThat(d.toMillis()).isBetween(seconds * 1000 - 15_000 - JITTER_MS, seconds * 1000 + 15_000 + JITTER_MS);
            clock.advance(d);
            assertThat(Math.abs(offSlot(s, clock.instant()))).isLessThanOrEqualTo(JITTER_MS);
        }
        assertThat(s.failures()).isEqualTo(5);
        assertThat(s.next(true)).isBetween(INTERVAL.minusMillis(2 * JITTER_MS), INTERVAL.plusMillis(2 * JITTER_MS));
        assertThat(s.failures()).isZero();
    }

    @Test
    void clockJumps_giveTheNextSlotFromTheNewTime() {
        PollSchedule s = schedule("edge-4", 5);
        clock.advance(Duration.ofHours(-3));
        Duration back = s.next(true);
        assertThat(back).isBetween(INTERVAL.dividedBy(2).minusMillis(JITTER_MS), INTERVAL.multipliedBy(3).dividedBy(2).plusMillis(JITTER_MS));
        clock.advance(Duration.ofDays(400));
        assertThat(s.next(true)).isBetween(INTERVAL.dividedBy(2).minusMillis(JITTER_MS), INTERVAL.multipliedBy(3).dividedBy(2).plusMillis(JITTER_MS));
    }

    @Test
    void hintDelay_isStablePerHost_withinTheSpread_andSpreadOverTheFleet() {
        Duration spread = Duration.ofSeconds(30);
        int[] perSecond = new int[30];
        for (int i = 0; i < 1000; i++) {
            Duration d = PollSchedule.hintDelay("edge-" + i, spread);
            assertThat(d).isEqualTo(PollSchedule.hintDelay("edge-" + i, spread)).isBetween(Duration.ZERO, spread);
            perSecond[(int) d.toSeconds()]++;
        }
        for (int n : perSecond) {
            assertThat(n).as("devices in a second of the spread").isBetween(10, 70);
        }
        assertThat(PollSchedule.hintDelay("edge-1", Duration.ZERO)).isZero();
    }
}
