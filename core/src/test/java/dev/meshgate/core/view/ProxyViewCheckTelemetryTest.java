package dev.meshgate.core.view;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.meshgate.core.telemetry.Metrics.IstioMetric;
import dev.meshgate.core.telemetry.Metrics.TagOverride;
import dev.meshgate.core.telemetry.Telemetry.WorkloadMode;
import dev.meshgate.core.view.TelemetrySpec.MetricSpec;
import dev.meshgate.core.view.TelemetrySpec.MetricsSpec;
import dev.meshgate.core.view.TelemetrySpec.TracingSpec;

/** A pushed view's telemetry passes the same rules as a Telemetry resource, so a proxy never holds an override it cannot evaluate. */
class ProxyViewCheckTelemetryTest {

    private static ProxyView withTelemetry(TelemetrySpec telemetry) {
        ProxyView base = ProxyViewCheckTest.view(ProxyViewCheckTest.forward("r.0"));
        return new ProxyView(base.version(), base.snapshotVersion(), base.listeners(), base.clusters(),
                base.outboundTrafficPolicy(), base.pathNormalization(), telemetry);
    }

    private static TelemetrySpec metric(String tag, TagOverride override) {
        return new TelemetrySpec(List.of("apps/web"), List.of(), new MetricsSpec(List.of(), List.of(
                new MetricSpec(IstioMetric.REQUEST_COUNT, WorkloadMode.CLIENT, false, Map.of(tag, override)))),
                List.of());
    }

    @Test
    void supportedTagOverridesPass() {
        assertThat(ProxyViewCheckTest.problems(withTelemetry(metric("v", new TagOverride(null, "'v1'"))))).isEmpty();
        assertThat(ProxyViewCheckTest.problems(withTelemetry(
                metric("host", new TagOverride(TagOverride.Operation.UPSERT, "request.host"))))).isEmpty();
        assertThat(ProxyViewCheckTest.problems(withTelemetry(
                metric("response_flags", new TagOverride(TagOverride.Operation.REMOVE, null))))).isEmpty();
    }

    @Test
    void unsupportedExpressionsAndLabelNamesAreRefused() {
        assertThat(ProxyViewCheckTest.problems(withTelemetry(metric("v", new TagOverride(null, "request.path")))))
                .containsExactly("telemetry metric REQUEST_COUNT CLIENT tagOverrides.v.value: unsupported expression "
                        + "\"request.path\" (expected a string literal such as 'v1' or one of the attributes "
                        + "request.host, request.method, request.scheme, response.code)");
        assertThat(ProxyViewCheckTest.problems(withTelemetry(metric("a-b", new TagOverride(null, "'x'")))))
                .containsExactly("telemetry metric REQUEST_COUNT CLIENT tagOverrides.a-b: not a Prometheus label name");
    }

    @Test
    void samplingOutsideZeroToHundredIsRefused() {
        TelemetrySpec tracing = new TelemetrySpec(List.of(), List.of(
                new TracingSpec(WorkloadMode.SERVER, List.of(), 100.5, null, Map.of(), null)), null, List.of());
        assertThat(ProxyViewCheckTest.problems(withTelemetry(tracing)))
                .containsExactly("telemetry tracing SERVER randomSamplingPercentage: 100.5 (expected: 0.0 to 100.0)");
    }
}
