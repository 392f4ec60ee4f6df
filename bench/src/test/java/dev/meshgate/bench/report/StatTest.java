package dev.meshgate.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class StatTest {

    @Test
    void medianMinAndMaxLeaveOutFiguresNotTaken() {
        Stat stat = Stat.of(List.of(3.0, Double.NaN, 1.0, 2.0, 10.0));

        assertThat(stat).isEqualTo(new Stat(2.5, 1.0, 10.0, 4));
        assertThat(Stat.of(List.of(Double.NaN)).n()).isZero();
    }

    @Test
    void percentileIsTheNearestRank() {
        List<Double> values = List.of(5.0, 1.0, 4.0, 2.0, 3.0, 6.0, 7.0, 8.0, 9.0, 10.0);

        assertThat(Stat.percentile(values, 50)).isEqualTo(5.0);
        assertThat(Stat.percentile(values, 99)).isEqualTo(10.0);
        assertThat(Stat.percentile(values, 10)).isEqualTo(1.0);
    }

    @Test
    void ratioOfMediansIsUndefinedAgainstNothing() {
        Stat two = Stat.of(List.of(2.0));
        Stat four = Stat.of(List.of(4.0));

        assertThat(four.ratioTo(two)).isEqualTo(2.0);
        assertThat(four.ratioTo(Stat.NONE)).isNaN();
    }
}
