package io.voltis.agent.hints;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.voltis.sync.testing.MutableClock;
import org.junit.jupiter.api.Test;

/** Coalescing: a hint asks for a poll; a flood of them asks for one per window. */
class SyncHintsTest {

    final MutableClock clock = new MutableClock(Instant.parse("2026-12-07T09:00:00Z"));
    final List<Instant> asked = new ArrayList<>();
    final SyncHints hints = new SyncHints(Duration.ofSeconds(12), asked::add, clock);

    @Test
    void aFleetHint_waitsThisHostsDelay_aDeviceRequestDoesNot() {
        Instant t0 = clock.instant();
        assertThat(hints.fromFleet("mqtt")).isEqualTo(new SyncHints.Answer(t0.plusSeconds(12), false));
        // asked on the device while the fleet's poll waits: served now, not after the spread
        assertThat(hints.fromDevice("cli")).isEqualTo(new SyncHints.Answer(t0, false));
        assertThat(asked).containsExactly(t0.plusSeconds(12), t0);
    }

    @Test
    void aFlood_isOnePollPerWindow() {
        Instant t0 = clock.instant();
        for (int i = 0; i < 1000; i++) {
            clock.advance(Duration.ofMillis(10)); // 1,000 hints over 10 s
            hints.fromFleet("mqtt");
        }
        // the first at t0 + 12 s; every later one while it is pending joins it
        assertThat(asked).containsExactly(t0.plusMillis(10).plusSeconds(12));
        assertThat(hints.received()).isEqualTo(1000);
        assertThat(hints.coalesced()).isEqualTo(999);

        clock.advance(Duration.ofSeconds(3)); // past the pending poll
        SyncHints.Answer next = hints.fromFleet("mqtt");
        assertThat(next.coalesced()).isFalse();
        assertThat(next.pollAt()).isEqualTo(clock.instant().plusSeconds(12));
    }

    @Test
    void deviceRequests_inARow_areOnePollPerLeastGap() {
        SyncHints local = new SyncHints(Duration.ZERO, asked::add, clock);
        Instant t0 = clock.instant();
        for (int i = 0; i < 100; i++) {
            local.fromDevice("api");
            clock.advance(Duration.ofMillis(100)); // 100 requests over 10 s
        }
        assertThat(asked).containsExactly(t0, t0.plus(SyncHints.MIN_GAP), t0.plus(SyncHints.MIN_GAP.multipliedBy(2)));
        assertThat(local.coalesced()).isEqualTo(97);
    }

    @Test
    void aClockJumpBack_doesNotHoldHintsOffForTheJump() {
        SyncHints local = new SyncHints(Duration.ZERO, asked::add, clock);
        local.fromDevice("api");
        clock.advance(Duration.ofSeconds(6));
        local.fromDevice("api");
        clock.advance(Duration.ofSeconds(1));
        clock.advance(Duration.ofHours(-2));
        SyncHints.Answer a = local.fromDevice("api");
        assertThat(Duration.between(clock.instant(), a.pollAt())).isLessThanOrEqualTo(SyncHints.MIN_GAP);
    }
}
