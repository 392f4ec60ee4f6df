package dev.meshgate.core.view;

import java.util.List;
import java.util.Map;

import dev.meshgate.core.networking.Immutable;
import dev.meshgate.core.telemetry.Metrics.IstioMetric;
import dev.meshgate.core.telemetry.Metrics.TagOverride;
import dev.meshgate.core.telemetry.Telemetry.WorkloadMode;
import dev.meshgate.core.telemetry.Tracing.CustomTag;

import org.jspecify.annotations.Nullable;

/**
 * The Telemetry resources that apply to one proxy, resolved by Istio's precedence (root namespace, then the
 * proxy's namespace, then a workload selector in it; the more specific wins field by field). Absent from a view
 * when no Telemetry applies: then MeshConfig's defaults hold.
 *
 * @param resources the applied Telemetries, {@code ns/name}, general first
 * @param tracing one entry for CLIENT and one for SERVER, when any tracing is configured
 * @param metrics the metrics providers and the metrics changed from Istio's defaults
 * @param accessLogging one entry for CLIENT and one for SERVER, when any access logging is configured
 */
public record TelemetrySpec(List<String> resources, List<TracingSpec> tracing, MetricsSpec metrics,
        List<AccessLoggingSpec> accessLogging) {

    public TelemetrySpec {
        resources = Immutable.list(resources);
        tracing = Immutable.list(tracing);
        accessLogging = Immutable.list(accessLogging);
        metrics = metrics == null ? MetricsSpec.DEFAULT : metrics;
    }

    /** The tracing for {@code mode} (CLIENT or SERVER), or null when no Telemetry configures it. */
    public @Nullable TracingSpec tracing(WorkloadMode mode) {
        for (TracingSpec spec : tracing) {
            if (spec.mode() == mode) {
                return spec;
            }
        }
        return null;
    }

    /**
     * Resolved tracing of one side; null fields were set by no Telemetry and come from MeshConfig.
     *
     * @param mode CLIENT or SERVER
     * @param providers empty: MeshConfig {@code defaultProviders.tracing}
     * @param customTags merged by name, the more specific Telemetry winning
     */
    public record TracingSpec(WorkloadMode mode, List<String> providers, @Nullable Double randomSamplingPercentage,
            @Nullable Boolean disableSpanReporting, Map<String, CustomTag> customTags,
            @Nullable Boolean useRequestIdForTraceSampling) {
        public TracingSpec {
            providers = Immutable.list(providers);
            customTags = Immutable.map(customTags);
        }
    }

    /**
     * Resolved metrics.
     *
     * @param providers empty: MeshConfig {@code defaultProviders.metrics} (Prometheus)
     * @param metrics one entry per metric and side (CLIENT or SERVER) that differs from Istio's default, in
     *     {@link IstioMetric} order, CLIENT before SERVER
     */
    public record MetricsSpec(List<String> providers, List<MetricSpec> metrics) {
        public static final MetricsSpec DEFAULT = new MetricsSpec(List.of(), List.of());

        public MetricsSpec {
            providers = Immutable.list(providers);
            metrics = Immutable.list(metrics);
        }

        /** The resolved overrides of {@code metric} on {@code side}, or null when it is reported as by default. */
        public @Nullable MetricSpec metric(IstioMetric metric, WorkloadMode side) {
            for (MetricSpec spec : metrics) {
                if (spec.metric() == metric && spec.mode() == side) {
                    return spec;
                }
            }
            return null;
        }
    }

    /**
     * One metric on one side after every applicable override.
     *
     * @param mode CLIENT (reporter=source) or SERVER (reporter=destination)
     * @param tagOverrides by label name, in the order first overridden: REMOVE, or UPSERT with its value
     */
    public record MetricSpec(IstioMetric metric, WorkloadMode mode, boolean disabled,
            Map<String, TagOverride> tagOverrides) {
        public MetricSpec {
            tagOverrides = Immutable.map(tagOverrides);
        }
    }

    /**
     * Resolved access logging of one side.
     *
     * @param providers empty: MeshConfig's access log ({@code accessLogFile}) or {@code defaultProviders.accessLogging}
     */
    public record AccessLoggingSpec(WorkloadMode mode, List<String> providers, @Nullable Boolean disabled) {
        public AccessLoggingSpec {
            providers = Immutable.list(providers);
        }
    }
}
