package dev.meshgate.proxy.telemetry;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * {@code GET /actuator/prometheus} on the admin port: Istio's metrics in Prometheus' text format (the same text
 * as Envoy's {@code /stats/prometheus}, which the admin port also serves). Never on a mesh listener.
 */
@Endpoint(id = "prometheus")
public final class PrometheusEndpoint {

    /** Prometheus' text format, as Envoy's {@code /stats/prometheus} answers. */
    public static final String CONTENT_TYPE = "text/plain;version=0.0.4;charset=utf-8";

    private final IstioMetrics metrics;

    public PrometheusEndpoint(IstioMetrics metrics) {
        this.metrics = metrics;
    }

    @ReadOperation(produces = CONTENT_TYPE)
    public String scrape() {
        return metrics.scrape();
    }
}
