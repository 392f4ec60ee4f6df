package dev.meshgate.core.networking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PercentTest {

    @Test
    void parsesNumbersWithOrWithoutPercentSign() {
        assertThat(Percent.parse("12.5%").value()).isEqualTo(12.5);
        assertThat(Percent.parse("50").value()).isEqualTo(50.0);
        assertThat(Percent.parse("100 %").fraction()).isEqualTo(1.0);
        assertThat(Percent.parse("0").fraction()).isZero();
    }

    @Test
    void rejectsOutOfRangeAndNonNumbers() {
        assertThatThrownBy(() -> Percent.parse("120%")).hasMessageContaining("got 120");
        assertThatThrownBy(() -> Percent.parse("-1")).hasMessageContaining("0-100");
        assertThatThrownBy(() -> Percent.parse("half")).hasMessageContaining("\"half\"");
        assertThatThrownBy(() -> Percent.parse("1e2")).hasMessageContaining("\"1e2\"");
    }

    @Test
    void absentValueIsZeroAsInIstio() {
        assertThat(new Percent(null).fraction()).isZero();
        assertThat(new Percent(null).problem()).isNull();
        assertThat(new Percent(100.5).problem()).contains("100.5");
    }
}
