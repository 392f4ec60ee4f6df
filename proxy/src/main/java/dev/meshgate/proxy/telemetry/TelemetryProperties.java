package dev.meshgate.proxy.telemetry;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * What the proxy says about itself in metrics and peer metadata ({@code meshgate.proxy.telemetry.*}).
 *
 * @param metrics {@code metrics.enabled=false}: no Istio metrics and no peer metadata exchange
 * @param tracing {@code tracing.enabled=false}: no span context, no trace headers touched, whatever MeshConfig and
 *     Telemetry say (the benchmark's "telemetry off" baseline; a mesh turns tracing off with {@code enableTracing})
 * @param workloadName the workload (Deployment) the proxy belongs to; absent: the proxy name without a trailing
 *     {@code -<digits>} ({@code web-v1-1} is workload {@code web-v1})
 * @param clusterId Istio's {@code CLUSTER_ID} ({@code source_cluster}, {@code destination_cluster})
 * @param meshId Istio's {@code MESH_ID}
 * @param trustDomain the SPIFFE trust domain of the proxy's own principal
 */
@ConfigurationProperties("meshgate.proxy.telemetry")
public record TelemetryProperties(@DefaultValue Metrics metrics, @DefaultValue Tracing tracing,
        @Nullable String workloadName,
        @DefaultValue("Kubernetes") String clusterId, @DefaultValue("cluster.local") String meshId,
        @DefaultValue("cluster.local") String trustDomain) {

    /** The property that turns metrics off. */
    public static final String METRICS_ENABLED = "meshgate.proxy.telemetry.metrics.enabled";

    /** The property that turns tracing off. */
    public static final String TRACING_ENABLED = "meshgate.proxy.telemetry.tracing.enabled";

    /** @param enabled whether Istio's metrics are recorded (and peer metadata exchanged) */
    public record Metrics(@DefaultValue("true") boolean enabled) {
    }

    /** @param enabled whether the proxy traces at all (then MeshConfig and Telemetry decide how) */
    public record Tracing(@DefaultValue("true") boolean enabled) {
    }

    /** The workload name of a proxy called {@code proxyName}. */
    public String workloadNameOf(String proxyName) {
        if (workloadName != null && !workloadName.isBlank()) {
            return workloadName;
        }
        int dash = proxyName.lastIndexOf('-');
        if (dash > 0 && dash < proxyName.length() - 1 && proxyName.substring(dash + 1).chars().allMatch(Character::isDigit)) {
            return proxyName.substring(0, dash);
        }
        return proxyName;
    }
}
