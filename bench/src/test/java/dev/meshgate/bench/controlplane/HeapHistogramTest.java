package dev.meshgate.bench.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HeapHistogramTest {

    @Test
    void theTotalLineGivesTheLiveBytes() {
        String histogram = """
                12345:
                 num     #instances         #bytes  class name (module)
                -------------------------------------------------------
                   1:         52866       14183752  [B (java.base@17.0.15)
                   2:         50812        1219488  java.lang.String (java.base@17.0.15)
                Total        103678       15403240
                """;
        assertThat(HeapHistogram.totalBytes(histogram)).isEqualTo(15_403_240L);
    }

    @Test
    void aTextWithoutTotalIsRefused() {
        assertThatThrownBy(() -> HeapHistogram.totalBytes("12345:\nCould not attach"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Total");
    }
}
