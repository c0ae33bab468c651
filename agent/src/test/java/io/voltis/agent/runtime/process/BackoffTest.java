package io.voltis.agent.runtime.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void delay_doublesFromTheInitialUpToTheMaximum() {
        Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60));

        assertThat(backoff.delay(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(backoff.delay(2)).isEqualTo(Duration.ofSeconds(2));
        assertThat(backoff.delay(6)).isEqualTo(Duration.ofSeconds(32));
        assertThat(backoff.delay(7)).isEqualTo(Duration.ofSeconds(60));
        assertThat(backoff.delay(1_000)).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void stableAfter_isTenSecondsOrTheMaximumWhenShorter() {
        assertThat(new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60)).stableAfter()).isEqualTo(Duration.ofSeconds(10));
        assertThat(new Backoff(Duration.ofMillis(100), Duration.ofMillis(400)).stableAfter()).isEqualTo(Duration.ofMillis(400));
    }
}
