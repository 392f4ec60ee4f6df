package dev.meshgate.core.telemetry;

import java.util.List;
import java.util.Map;

import dev.meshgate.core.networking.Immutable;
import dev.meshgate.core.telemetry.Telemetry.ProviderRef;
import dev.meshgate.core.telemetry.Telemetry.WorkloadMode;

import org.jspecify.annotations.Nullable;

/**
 * {@code Telemetry.spec.metrics[]}: which providers receive the metrics and how they are changed.
 *
 * @param providers absent: MeshConfig {@code defaultProviders.metrics} (Prometheus)
 * @param overrides applied in order, after those of less specific Telemetries
 * @param reportingInterval not supported (Prometheus scrapes when it likes)
 */
public record Metrics(List<ProviderRef> providers, List<MetricsOverrides> overrides,
        @Nullable String reportingInterval) {

    public Metrics {
        providers = Immutable.list(providers);
        overrides = Immutable.list(overrides);
    }

    /**
     * {@code overrides[]}: disables the matched metrics or changes their labels.
     *
     * @param match absent: every metric, both modes
     * @param disabled true: the matched metrics are not reported
     * @param tagOverrides by label name
     */
    public record MetricsOverrides(@Nullable MetricSelector match, @Nullable Boolean disabled,
            Map<String, TagOverride> tagOverrides) {
        public MetricsOverrides {
            tagOverrides = Immutable.map(tagOverrides);
        }
    }

    /** {@code overrides[].match}: one of {@code metric} and {@code customMetric}, and the mode. */
    public record MetricSelector(@Nullable IstioMetric metric, @Nullable String customMetric,
            @Nullable WorkloadMode mode) {

        /** CLIENT_AND_SERVER when absent, as Istio. */
        public WorkloadMode modeOrDefault() {
            return mode == null ? WorkloadMode.CLIENT_AND_SERVER : mode;
        }
    }

    /** Istio's standard metrics ({@code MetricSelector.IstioMetric}), with their Prometheus names. */
    public enum IstioMetric {
        ALL_METRICS(null),
        REQUEST_COUNT("istio_requests_total"),
        REQUEST_DURATION("istio_request_duration_milliseconds"),
        REQUEST_SIZE("istio_request_bytes"),
        RESPONSE_SIZE("istio_response_bytes"),
        TCP_OPENED_CONNECTIONS("istio_tcp_connections_opened_total"),
        TCP_CLOSED_CONNECTIONS("istio_tcp_connections_closed_total"),
        TCP_SENT_BYTES("istio_tcp_sent_bytes_total"),
        TCP_RECEIVED_BYTES("istio_tcp_received_bytes_total"),
        GRPC_REQUEST_MESSAGES("istio_request_messages_total"),
        GRPC_RESPONSE_MESSAGES("istio_response_messages_total");

        private final @Nullable String prometheusName;

        IstioMetric(@Nullable String prometheusName) {
            this.prometheusName = prometheusName;
        }

        /** The name Prometheus shows, e.g. {@code istio_requests_total}; null for ALL_METRICS. */
        public @Nullable String prometheusName() {
            return prometheusName;
        }
    }

    /**
     * {@code tagOverrides.<name>}: UPSERT (the default) sets the label to {@code value}, REMOVE drops it.
     *
     * @param value an expression of Istio's attribute language; meshgate supports what {@link TagValue} parses
     */
    public record TagOverride(@Nullable Operation operation, @Nullable String value) {

        public Operation operationOrDefault() {
            return operation == null ? Operation.UPSERT : operation;
        }

        public enum Operation {
            UPSERT,
            REMOVE
        }
    }
}
