package dev.meshgate.core.translate.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.meshgate.core.networking.Percent;
import dev.meshgate.core.networking.virtualservice.CorsPolicy;
import dev.meshgate.core.networking.virtualservice.HttpFaultInjection;
import dev.meshgate.core.networking.virtualservice.HttpRetry;
import dev.meshgate.core.view.CorsSpec;
import dev.meshgate.core.view.FaultSpec;
import dev.meshgate.core.view.MatchSpec.StringMatchSpec;
import dev.meshgate.core.view.RetrySpec;

/** Istio's semantics for retries, faults and CORS when fields are absent, zero or legacy. */
class HttpPolicyTranslatorsTest {

    private static HttpRetry retry(Integer attempts, String perTryTimeout, String retryOn) {
        return new HttpRetry(attempts, perTryTimeout, retryOn, null, null, null);
    }

    @Test
    void withoutRetriesARouteGetsIstiosDefaultPolicyWhichRetriesNoStatusCode() {
        RetrySpec spec = HttpRetryTranslator.translate(null);
        assertThat(spec.attempts()).isEqualTo(2);
        // Istio 1.24+: an application's 503 is not retried by default (it may have been processed)
        assertThat(spec.retryOn()).containsExactlyInAnyOrder("connect-failure", "refused-stream", "unavailable",
                "cancelled");
        assertThat(spec.retriableStatusCodes()).isEmpty();
        assertThat(spec.perTryTimeoutMillis()).isZero();
        assertThat(spec.retryRemoteLocalities()).isFalse();
        assertThat(spec.retryIgnorePreviousHosts()).isTrue();
        assertThat(spec.backoffMillis()).isEqualTo(25);
        assertThat(spec).isSameAs(HttpRetryTranslator.DEFAULT);
    }

    @Test
    void zeroOrAbsentAttemptsDisableRetries() {
        assertThat(HttpRetryTranslator.translate(retry(0, null, null))).isNull();
        assertThat(HttpRetryTranslator.translate(retry(null, null, null))).isNull();
    }

    @Test
    void attemptsWithoutRetryOnKeepIstiosDefaultConditionsAndNoCodes() {
        RetrySpec spec = HttpRetryTranslator.translate(retry(15, "1s", null));
        assertThat(spec.attempts()).isEqualTo(15);
        assertThat(spec.perTryTimeoutMillis()).isEqualTo(1_000);
        assertThat(spec.retryOn()).isEqualTo(HttpRetryTranslator.DEFAULT_RETRY_ON);
        assertThat(spec.retriableStatusCodes()).isEmpty();
    }

    @Test
    void backoffIsTheBaseIntervalAndRetryIgnorePreviousHostsDefaultsToTrue() {
        RetrySpec spec = HttpRetryTranslator.translate(new HttpRetry(3, null, null, null, false, "100ms"));
        assertThat(spec.backoffMillis()).isEqualTo(100);
        assertThat(spec.retryIgnorePreviousHosts()).isFalse();
        RetrySpec defaults = HttpRetryTranslator.translate(retry(3, null, "5xx"));
        assertThat(defaults.backoffMillis()).isEqualTo(25);
        assertThat(defaults.retryIgnorePreviousHosts()).isTrue();
        assertThat(HttpRetryTranslator.translate(new HttpRetry(3, null, null, null, true, "2s")).backoffMillis())
                .isEqualTo(2_000);
    }

    @Test
    void meshConfigsDefaultPolicyReplacesIstiosForRoutesWithoutRetriesOnly() {
        HttpRetry meshDefault = new HttpRetry(4, null, "5xx", null, null, "50ms");
        assertThat(HttpRetryTranslator.translate(null, meshDefault))
                .isEqualTo(new RetrySpec(4, 0, Set.of("5xx"), Set.of(), false, true, 50));
        assertThat(HttpRetryTranslator.translate(retry(1, null, null), meshDefault))
                .isEqualTo(new RetrySpec(1, 0, HttpRetryTranslator.DEFAULT_RETRY_ON, Set.of(), false, true, 25));
        assertThat(HttpRetryTranslator.translate(null, retry(0, null, null))).as("attempts 0 turns retries off")
                .isNull();
        assertThat(HttpRetryTranslator.translate(null, null)).isSameAs(HttpRetryTranslator.DEFAULT);
    }

    @Test
    void retryOnReplacesTheDefaultsAndNumericCodesTurnOnRetriableStatusCodes() {
        assertThat(HttpRetryTranslator.translate(retry(3, null, "5xx,gateway-error")))
                .isEqualTo(new RetrySpec(3, 0, Set.of("5xx", "gateway-error"), Set.of(), false));
        assertThat(HttpRetryTranslator.translate(retry(3, null, " 409 ,reset,503")))
                .isEqualTo(new RetrySpec(3, 0, Set.of("reset", "retriable-status-codes"), Set.of(409, 503), false));
        assertThat(HttpRetryTranslator.translate(new HttpRetry(1, null, "retriable-status-codes,429", true, null,
                null))).isEqualTo(new RetrySpec(1, 0, Set.of("retriable-status-codes"), Set.of(429), true));
    }

    @Test
    void retrySetsIterateInAStableOrder() {
        assertThat(HttpRetryTranslator.translate(retry(3, null, "unavailable,5xx,reset")).retryOn())
                .containsExactly("5xx", "reset", "unavailable");
    }

    @Test
    void aFaultWithoutPercentageInjectsIntoNoRequestAsInIstio() {
        FaultSpec fault = HttpFaultInjectionTranslator.translate(new HttpFaultInjection(
                new HttpFaultInjection.Delay("2s", null, null, null), new HttpFaultInjection.Abort(503, null, null,
                        null)));
        assertThat(fault).isEqualTo(new FaultSpec(new FaultSpec.Delay(2_000, 0), new FaultSpec.Abort(503, 0)));
    }

    @Test
    void theLegacyIntegerPercentCountsWhenPercentageIsAbsent() {
        assertThat(HttpFaultInjectionTranslator.translate(new HttpFaultInjection(
                new HttpFaultInjection.Delay("1s", null, null, 30), null)).delay().percentage()).isEqualTo(30);
        assertThat(HttpFaultInjectionTranslator.translate(new HttpFaultInjection(
                new HttpFaultInjection.Delay("1s", null, new Percent(12.5), 30), null)).delay().percentage())
                .isEqualTo(12.5);
    }

    @Test
    void istio10sIntegerAbortPercentCountsWhenPercentageIsAbsent() {
        assertThat(HttpFaultInjectionTranslator.translate(new HttpFaultInjection(null,
                new HttpFaultInjection.Abort(500, null, null, null, 40))).abort().percentage()).isEqualTo(40);
        assertThat(HttpFaultInjectionTranslator.translate(new HttpFaultInjection(null,
                new HttpFaultInjection.Abort(500, null, null, new Percent(2.5), 40))).abort().percentage())
                .isEqualTo(2.5);
    }

    @Test
    void unsupportedFaultKindsAreLeftOut() {
        assertThat(HttpFaultInjectionTranslator.translate(new HttpFaultInjection(
                new HttpFaultInjection.Delay(null, "1s", new Percent(50.0), null),
                new HttpFaultInjection.Abort(null, null, "REFUSED_STREAM", new Percent(50.0))))).isNull();
    }

    @Test
    void grpcStatusAbortCarriesItsCodeAndEnvoysHttpStatus() {
        FaultSpec fault = HttpFaultInjectionTranslator.translate(new HttpFaultInjection(null,
                new HttpFaultInjection.Abort(null, "unavailable", null, new Percent(50.0))));
        assertThat(fault.abort()).isEqualTo(new FaultSpec.Abort(503, 50, 14));
        assertThat(HttpFaultInjectionTranslator.translate(new HttpFaultInjection(null,
                new HttpFaultInjection.Abort(null, "NO_SUCH_CODE", null, new Percent(50.0))))).isNull();
    }

    @Test
    void corsUsesAllowOriginsOrElseTheDeprecatedExactList() {
        CorsSpec both = CorsPolicyTranslator.translate(new CorsPolicy(
                List.of(new dev.meshgate.core.networking.StringMatch(null, "https://a.", null)), List.of("https://b"),
                List.of("GET"), List.of(), List.of(), "90s", null, null));
        assertThat(both.allowOrigins()).containsExactly(new StringMatchSpec(StringMatchSpec.Type.PREFIX, "https://a."));
        assertThat(both.maxAgeSeconds()).isEqualTo(90);
        assertThat(both.forwardUnmatchedPreflights()).isTrue();
        CorsSpec legacy = CorsPolicyTranslator.translate(new CorsPolicy(List.of(), List.of("https://b"), List.of(),
                List.of(), List.of(), null, false, CorsPolicy.UnmatchedPreflights.IGNORE));
        assertThat(legacy.allowOrigins()).containsExactly(new StringMatchSpec(StringMatchSpec.Type.EXACT, "https://b"));
        assertThat(legacy.maxAgeSeconds()).isEqualTo(-1);
        assertThat(legacy.allowCredentials()).isFalse();
        assertThat(legacy.forwardUnmatchedPreflights()).isFalse();
    }
}
