package dev.meshgate.proxy.telemetry;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * {@code GET /actuator/prometheus} on the admin port: Istio's metrics in Prometheus' text format (the same text
 * as Envoy's {@code /stats/prometheus}, which the admin port also serves). Never on a mesh listener. With metrics
 * off ({@code metrics} null) it answers 404, as when no endpoint is there.
 */
@Endpoint(id = "prometheus")
public final class PrometheusEndpoint {

    /** Prometheus' text format, as Envoy's {@code /stats/prometheus} answers. */
    public static final String CONTENT_TYPE = "text/plain;version=0.0.4;charset=utf-8";

    private final @Nullable IstioMetrics metrics;

    public PrometheusEndpoint(@Nullable IstioMetrics metrics) {
        this.metrics = metrics;
    }

    @ReadOperation(produces = CONTENT_TYPE)
    public @Nullable String scrape() {
        return metrics == null ? null : metrics.scrape();
    }
}
