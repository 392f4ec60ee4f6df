package dev.meshgate.bench.mesh;

import java.util.List;

/**
 * What a benchmark proxy records, for issue #9's cost figures: each value is the arguments that make a proxy so.
 * Tracing follows the bench's MeshConfig (1 %, spans to the backend) unless a Telemetry resource selects the
 * proxy ({@link BenchMesh#TRACE_ALL_LABEL}: 100 %) or the proxy's tracing is off.
 */
public enum ProxyTelemetry {

    /** Istio metrics and tracing at MeshConfig's 1 %. */
    DEFAULT(),
    /** Tracing at 1 %, no Istio metrics (and no peer metadata exchange). */
    NO_METRICS(ProxyTelemetry.METRICS_OFF),
    /** Istio metrics and every request traced (a Telemetry resource: {@code randomSamplingPercentage: 100}). */
    TRACE_ALL("--meshgate.proxy.labels." + BenchMesh.TRACE_ALL_LABEL + "=" + BenchMesh.TRACE_ALL_VALUE),
    /** Neither metrics nor tracing: the baseline the others are compared with. */
    OFF(ProxyTelemetry.METRICS_OFF, ProxyTelemetry.TRACING_OFF);

    static final String METRICS_OFF = "--meshgate.proxy.telemetry.metrics.enabled=false";
    static final String TRACING_OFF = "--meshgate.proxy.telemetry.tracing.enabled=false";

    private final List<String> args;

    ProxyTelemetry(String... args) {
        this.args = List.of(args);
    }

    /** The proxy's extra command-line arguments. */
    public String[] args() {
        return args.toArray(String[]::new);
    }
}
