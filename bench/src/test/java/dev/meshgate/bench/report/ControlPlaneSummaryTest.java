package dev.meshgate.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import dev.meshgate.bench.controlplane.ControlPlaneResult;

import org.junit.jupiter.api.Test;

class ControlPlaneSummaryTest {

    @Test
    void theFirstChangeIsGivenApartAndThePercentilesOverAllChangesKeepIt() {
        ControlPlaneSummary summary = ControlPlaneSummary.of(result(List.of(2_300.0, 700.0, 500.0, 900.0, 600.0)));

        assertThat(summary.firstChange()).isEqualTo(2_300.0);
        assertThat(summary.laterP50()).isEqualTo(600.0);
        assertThat(summary.laterMax()).isEqualTo(900.0);
        assertThat(summary.allAckedP99()).isEqualTo(2_300.0);
        assertThat(summary.allAckedP50()).isEqualTo(700.0);
    }

    @Test
    void withOneChangeOrNoneTheLaterOnesAreNotMeasured() {
        ControlPlaneSummary one = ControlPlaneSummary.of(result(List.of(800.0)));
        ControlPlaneSummary none = ControlPlaneSummary.of(result(List.of()));

        assertThat(one.firstChange()).isEqualTo(800.0);
        assertThat(one.laterP50()).isNaN();
        assertThat(one.laterMax()).isNaN();
        assertThat(none.firstChange()).isNaN();
        assertThat(none.laterP50()).isNaN();
    }

    private static ControlPlaneResult result(List<Double> allAcked) {
        return new ControlPlaneResult(1_000, 10_000, 1_000, 2_000, 2_000, 30_000, allAcked, allAcked, allAcked, 0.8,
                24, 400, 5_500, List.of(), 1.3, 10, 80, "", 4_259);
    }
}
