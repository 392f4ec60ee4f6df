package dev.meshgate.proxy.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GrpcTimeoutTest {

    @Test
    void everyUnitIsReadInMilliseconds() {
        assertThat(GrpcTimeout.parseMillis("2H")).isEqualTo(7_200_000);
        assertThat(GrpcTimeout.parseMillis("3M")).isEqualTo(180_000);
        assertThat(GrpcTimeout.parseMillis("5S")).isEqualTo(5_000);
        assertThat(GrpcTimeout.parseMillis("250m")).isEqualTo(250);
        assertThat(GrpcTimeout.parseMillis("0H")).isZero();
    }

    @Test
    void microsAndNanosAreRoundedUpToWholeMilliseconds() {
        assertThat(GrpcTimeout.parseMillis("1000u")).isEqualTo(1);
        assertThat(GrpcTimeout.parseMillis("1001u")).isEqualTo(2);
        assertThat(GrpcTimeout.parseMillis("1u")).isEqualTo(1);
        assertThat(GrpcTimeout.parseMillis("0u")).isZero();
        assertThat(GrpcTimeout.parseMillis("1n")).isEqualTo(1);
        assertThat(GrpcTimeout.parseMillis("2000000n")).isEqualTo(2);
        assertThat(GrpcTimeout.parseMillis("2000001n")).isEqualTo(3);
    }

    @Test
    void eightDigitsAtMostButLeadingZerosAndSignsAsEnvoyReadsThem() {
        assertThat(GrpcTimeout.parseMillis("99999999H")).isEqualTo(99_999_999L * 3_600_000);
        assertThat(GrpcTimeout.parseMillis("100000000m")).isEqualTo(-1);
        assertThat(GrpcTimeout.parseMillis("000000001S")).isEqualTo(1_000);
        assertThat(GrpcTimeout.parseMillis("+7m")).isEqualTo(7);
        assertThat(GrpcTimeout.parseMillis("-0m")).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "S", "123", "1", "123F", "1.5S", "-1S", "1 0S", "abcm", "99999999999999999999999S",
            "1s", "10h", "+m"})
    void garbageIsNotATimeout(String value) {
        assertThat(GrpcTimeout.parseMillis(value)).isEqualTo(-1);
    }

    @Test
    void theRouteTimeoutCapsTheHeaderAndStandsInForAMissingOrUnreadableOne() {
        assertThat(GrpcTimeout.effectiveMillis("500m", 0)).isEqualTo(500);
        assertThat(GrpcTimeout.effectiveMillis("500m", 2_000)).isEqualTo(500);
        assertThat(GrpcTimeout.effectiveMillis("5S", 2_000)).isEqualTo(2_000);
        assertThat(GrpcTimeout.effectiveMillis(null, 2_000)).isEqualTo(2_000);
        assertThat(GrpcTimeout.effectiveMillis("garbage", 2_000)).isEqualTo(2_000);
        assertThat(GrpcTimeout.effectiveMillis("garbage", 0)).isZero();
        assertThat(GrpcTimeout.effectiveMillis(null, 0)).isZero();
        // 0 is infinite, as in Envoy: the route's timeout applies.
        assertThat(GrpcTimeout.effectiveMillis("0S", 2_000)).isEqualTo(2_000);
        assertThat(GrpcTimeout.effectiveMillis("0S", 0)).isZero();
    }

    @Test
    void writtenInTheSmallestUnitThatFitsEightDigits() {
        assertThat(GrpcTimeout.format(1)).isEqualTo("1m");
        assertThat(GrpcTimeout.format(99_999_999)).isEqualTo("99999999m");
        assertThat(GrpcTimeout.format(100_000_000)).isEqualTo("100000S");
        assertThat(GrpcTimeout.format(99_999_999_000L + 999)).isEqualTo("99999999S");
        assertThat(GrpcTimeout.format(100_000_000_000L)).isEqualTo("1666666M");
        assertThat(GrpcTimeout.format(6_000_000_000_000L)).isEqualTo("1666666H");
        assertThat(GrpcTimeout.format(Long.MAX_VALUE)).isEqualTo("99999999H");
    }
}
