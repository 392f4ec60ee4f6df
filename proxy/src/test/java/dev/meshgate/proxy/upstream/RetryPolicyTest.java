package dev.meshgate.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;

import dev.meshgate.core.view.RetrySpec;

class RetryPolicyTest {

    private static final HttpHeaders NONE = new DefaultHttpHeaders();

    private static RetryPolicy policy(String... retryOn) {
        return RetryPolicy.of(new RetrySpec(3, 0, Set.of(retryOn), Set.of(), true));
    }

    @Test
    void fiveXxRetriesEvery5xxAndEveryTryWithoutResponse() {
        RetryPolicy p = policy("5xx");
        assertThat(p.retriesResponse(500, NONE)).isTrue();
        assertThat(p.retriesResponse(503, NONE)).isTrue();
        assertThat(p.retriesResponse(599, NONE)).isTrue();
        assertThat(p.retriesResponse(409, NONE)).isFalse();
        assertThat(p.retriesResponse(200, NONE)).isFalse();
        for (TryFailure f : TryFailure.values()) {
            assertThat(p.retriesFailure(f)).as("%s", f).isTrue();
        }
    }

    @Test
    void gatewayErrorRetries502To504AndTriesWithoutResponse() {
        RetryPolicy p = policy("gateway-error");
        assertThat(p.retriesResponse(502, NONE)).isTrue();
        assertThat(p.retriesResponse(503, NONE)).isTrue();
        assertThat(p.retriesResponse(504, NONE)).isTrue();
        assertThat(p.retriesResponse(500, NONE)).isFalse();
        assertThat(p.retriesFailure(TryFailure.PER_TRY_TIMEOUT)).isTrue();
        assertThat(p.retriesFailure(TryFailure.CONNECT_FAILURE)).isTrue();
    }

    @Test
    void connectFailureRetriesOnlyFailedConnects() {
        RetryPolicy p = policy("connect-failure");
        assertThat(p.retriesFailure(TryFailure.CONNECT_FAILURE)).isTrue();
        assertThat(p.retriesFailure(TryFailure.RESET)).isFalse();
        assertThat(p.retriesFailure(TryFailure.PER_TRY_TIMEOUT)).isFalse();
        assertThat(p.retriesResponse(503, NONE)).isFalse();
    }

    @Test
    void resetRetriesTriesWithoutResponseButNoStatus() {
        RetryPolicy p = policy("reset");
        assertThat(p.retriesFailure(TryFailure.RESET)).isTrue();
        assertThat(p.retriesFailure(TryFailure.PER_TRY_TIMEOUT)).isTrue();
        assertThat(p.retriesResponse(503, NONE)).isFalse();
    }

    @Test
    void resetBeforeRequestRetriesFailedConnectsOnly() {
        RetryPolicy p = policy("reset-before-request");
        assertThat(p.retriesFailure(TryFailure.CONNECT_FAILURE)).isTrue();
        assertThat(p.retriesFailure(TryFailure.RESET)).isFalse();
        assertThat(p.retriesFailure(TryFailure.PER_TRY_TIMEOUT)).isFalse();
    }

    @Test
    void envoyRatelimitedRetriesResponsesMarkedSo() {
        RetryPolicy p = policy("envoy-ratelimited");
        assertThat(p.retriesResponse(429, new DefaultHttpHeaders().set("x-envoy-ratelimited", "true"))).isTrue();
        assertThat(p.retriesResponse(429, NONE)).isFalse();
    }

    @Test
    void retriable4xxIs409Only() {
        RetryPolicy p = policy("retriable-4xx");
        assertThat(p.retriesResponse(409, NONE)).isTrue();
        assertThat(p.retriesResponse(429, NONE)).isFalse();
        assertThat(p.retriesFailure(TryFailure.CONNECT_FAILURE)).isFalse();
    }

    @Test
    void numericCodesNeedRetriableStatusCodes() {
        RetryPolicy on = RetryPolicy.of(new RetrySpec(1, 0, Set.of("retriable-status-codes"), Set.of(429, 503), true));
        assertThat(on.retriesResponse(429, NONE)).isTrue();
        assertThat(on.retriesResponse(503, NONE)).isTrue();
        assertThat(on.retriesResponse(500, NONE)).isFalse();
        RetryPolicy off = RetryPolicy.of(new RetrySpec(1, 0, Set.of("5xx"), Set.of(429), true));
        assertThat(off.retriesResponse(429, NONE)).isFalse();
    }

    @Test
    void grpcTokensMatchTheGrpcStatusHeader() {
        RetryPolicy p = policy("unavailable", "cancelled");
        assertThat(p.retriesResponse(200, new DefaultHttpHeaders().set("grpc-status", "14"))).isTrue();
        assertThat(p.retriesResponse(200, new DefaultHttpHeaders().set("grpc-status", "1"))).isTrue();
        assertThat(p.retriesResponse(200, new DefaultHttpHeaders().set("grpc-status", "13"))).isFalse();
        assertThat(p.retriesResponse(200, new DefaultHttpHeaders().set("grpc-status", "x"))).isFalse();
        assertThat(p.retriesResponse(200, NONE)).isFalse();
        assertThat(p.retriesFailure(TryFailure.RESET)).isFalse();
    }

    @Test
    void refusedStreamAndRetriableHeadersNeverApplyToHttp1() {
        RetryPolicy p = policy("refused-stream", "retriable-headers");
        assertThat(p.retriesResponse(503, NONE)).isFalse();
        for (TryFailure f : TryFailure.values()) {
            assertThat(p.retriesFailure(f)).as("%s", f).isFalse();
        }
    }

    @Test
    void backOffIsJitteredUpToEnvoysDoublingBoundsAndCappedAt250Ms() {
        // Envoy's JitteredExponentialBackOffStrategy with base 25 ms: bounds 25, 50, 100, 200, then 250 ms.
        RetryPolicy p = policy("5xx");
        long[] bounds = {25, 50, 100, 200, 250, 250, 250};
        long[] max = new long[bounds.length];
        long[] min = new long[bounds.length];
        Arrays.fill(min, Long.MAX_VALUE);
        for (int i = 0; i < 2000; i++) {
            for (int n = 1; n <= bounds.length; n++) {
                long d = p.backoffMillis(n);
                assertThat(d).as("retry %d", n).isBetween(0L, bounds[n - 1] - 1);
                max[n - 1] = Math.max(max[n - 1], d);
                min[n - 1] = Math.min(min[n - 1], d);
            }
        }
        // Jittered over the whole range: 2000 draws reach near both ends (P(all above 10 % or below 90 % of the
        // bound) = 0.9^2000 each).
        for (int n = 1; n <= bounds.length; n++) {
            assertThat(max[n - 1]).as("retry %d", n).isGreaterThanOrEqualTo(bounds[n - 1] * 9 / 10);
            assertThat(min[n - 1]).as("retry %d", n).isLessThanOrEqualTo(bounds[n - 1] / 10);
        }
        assertThat(p.backoffMillis(100)).isBetween(0L, 249L);
    }

    @Test
    void backoffSetsTheBaseIntervalAndTheCapIsTenTimesIt() {
        RetryPolicy p = RetryPolicy.of(new RetrySpec(5, 0, Set.of("5xx"), Set.of(), false, true, 100));
        long max1 = 0;
        long max3 = 0;
        long max9 = 0;
        for (int i = 0; i < 2000; i++) {
            long d1 = p.backoffMillis(1);
            long d3 = p.backoffMillis(3);
            long d9 = p.backoffMillis(9);
            assertThat(d1).isBetween(0L, 99L);
            assertThat(d3).isBetween(0L, 399L);
            assertThat(d9).isBetween(0L, 999L);
            max1 = Math.max(max1, d1);
            max3 = Math.max(max3, d3);
            max9 = Math.max(max9, d9);
        }
        assertThat(max1).isGreaterThanOrEqualTo(90L);
        assertThat(max3).isGreaterThanOrEqualTo(360L);
        assertThat(max9).isGreaterThanOrEqualTo(900L);
    }

    @Test
    void retryIgnorePreviousHostsIsCarriedFromTheSpec() {
        assertThat(policy("5xx").ignorePreviousHosts()).isTrue();
        assertThat(RetryPolicy.of(new RetrySpec(1, 0, Set.of("5xx"), Set.of(), false, false, 25))
                .ignorePreviousHosts()).isFalse();
    }
}
