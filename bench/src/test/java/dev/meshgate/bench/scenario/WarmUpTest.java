package dev.meshgate.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WarmUpTest {

    @Test
    void theFirstRoundIsNeverSteady() {
        assertThat(WarmUp.steady(Double.NaN, 5_000)).isFalse();
    }

    @Test
    void roundsWithinFivePercentAreSteady() {
        assertThat(WarmUp.steady(10_000, 10_400)).isTrue();
        assertThat(WarmUp.steady(10_000, 9_600)).isTrue();
    }

    @Test
    void aThroughputStillRisingOrFallingIsNot() {
        assertThat(WarmUp.steady(4_000, 6_000)).isFalse();
        assertThat(WarmUp.steady(10_000, 9_000)).isFalse();
    }

    @Test
    void aDeadTargetIsNotSteady() {
        assertThat(WarmUp.steady(0, 0)).isFalse();
    }
}
