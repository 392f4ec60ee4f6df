package dev.meshgate.core.view;

import com.fasterxml.jackson.annotation.JsonInclude;

import org.jspecify.annotations.Nullable;

/**
 * The traffic policy in force for one cluster: {@code DestinationRule.spec.trafficPolicy}, overlaid by the
 * {@code portLevelSettings} entry of the cluster's port, overlaid by the subset's own {@code trafficPolicy}
 * (each overlay replaces whole settings: loadBalancer, connectionPool, outlierDetection), as Istio merges them.
 * Every cluster has one; a cluster no DestinationRule covers gets {@link #DEFAULT}.
 *
 * @param loadBalancer how an endpoint is picked
 * @param connectionPool limits on connections and requests to the cluster (Istio's defaults when unset)
 * @param outlierDetection ejection of failing endpoints, when configured (none by default, as in Istio)
 * @param tls TLS towards the endpoints; null: auto mutual TLS (Istio's default)
 */
public record TrafficPolicySpec(LoadBalancerSpec loadBalancer, ConnectionPoolSpec connectionPool,
        @Nullable OutlierDetectionSpec outlierDetection,
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable ClientTlsSpec tls) {

    /** A policy with auto mutual TLS. */
    public TrafficPolicySpec(LoadBalancerSpec loadBalancer, ConnectionPoolSpec connectionPool,
            @Nullable OutlierDetectionSpec outlierDetection) {
        this(loadBalancer, connectionPool, outlierDetection, null);
    }

    /** Istio's behaviour without a DestinationRule: LEAST_REQUEST, unlimited pools, no outlier detection. */
    public static final TrafficPolicySpec DEFAULT =
            new TrafficPolicySpec(LoadBalancerSpec.DEFAULT, ConnectionPoolSpec.DEFAULT, null);

    public TrafficPolicySpec {
        loadBalancer = loadBalancer == null ? LoadBalancerSpec.DEFAULT : loadBalancer;
        connectionPool = connectionPool == null ? ConnectionPoolSpec.DEFAULT : connectionPool;
    }
}
