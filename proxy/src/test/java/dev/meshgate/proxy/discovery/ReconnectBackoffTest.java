package dev.meshgate.proxy.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class ReconnectBackoffTest {

    private final ReconnectBackoff backoff = new ReconnectBackoff(Duration.ofMillis(100), Duration.ofSeconds(5));

    @RepeatedTest(20)
    void delayDoublesPerFailureWithJitterInItsUpperHalf() {
        assertThat(backoff.delay(0)).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
        assertThat(backoff.delay(1)).isBetween(Duration.ofMillis(100), Duration.ofMillis(200));
        assertThat(backoff.delay(3)).isBetween(Duration.ofMillis(400), Duration.ofMillis(800));
    }

    @RepeatedTest(20)
    void delayIsCappedAtTheMaximum() {
        assertThat(backoff.delay(6)).isBetween(Duration.ofMillis(2500), Duration.ofSeconds(5));
        assertThat(backoff.delay(1000)).isBetween(Duration.ofMillis(2500), Duration.ofSeconds(5));
    }

    @Test
    void maximumBelowInitialIsRejected() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new ReconnectBackoff(Duration.ofSeconds(1), Duration.ofMillis(10)))
                .withMessage("maxBackoff: PT0.01S (expected: >= initialBackoff PT1S)");
    }
}
