package dev.meshgate.core.networking.destinationrule;

import java.util.List;

import dev.meshgate.core.networking.Immutable;
import dev.meshgate.core.networking.PortSelector;

import org.jspecify.annotations.Nullable;

/**
 * Istio's {@code TrafficPolicy}: load balancing, connection pool, outlier detection and TLS for a destination.
 *
 * @param portLevelSettings per-port overrides of the other fields
 * @param retryBudget a limit on concurrent retries relative to active requests
 */
public record TrafficPolicy(@Nullable LoadBalancerSettings loadBalancer,
        @Nullable ConnectionPoolSettings connectionPool, @Nullable OutlierDetection outlierDetection,
        @Nullable ClientTlsSettings tls, List<PortTrafficPolicy> portLevelSettings, @Nullable TunnelSettings tunnel,
        @Nullable ProxyProtocol proxyProtocol, @Nullable RetryBudget retryBudget) {

    public TrafficPolicy {
        portLevelSettings = Immutable.list(portLevelSettings);
    }

    /** Istio's {@code TrafficPolicy.PortTrafficPolicy}. */
    public record PortTrafficPolicy(@Nullable PortSelector port, @Nullable LoadBalancerSettings loadBalancer,
            @Nullable ConnectionPoolSettings connectionPool, @Nullable OutlierDetection outlierDetection,
            @Nullable ClientTlsSettings tls) {
    }

    /** Istio's {@code TrafficPolicy.TunnelSettings}: tunnel TCP over HTTP CONNECT or POST. */
    public record TunnelSettings(@Nullable String protocol, @Nullable String targetHost,
            @Nullable Integer targetPort) {
    }

    /**
     * Istio's {@code TrafficPolicy.RetryBudget}.
     *
     * @param percent share of active and pending requests that may be retries, 0-100 (Istio's default 20)
     * @param budgetInterval a duration over which requests count towards the budget
     */
    public record RetryBudget(@Nullable Double percent, @Nullable Integer minRetryConcurrency,
            @Nullable String budgetInterval) {
    }

    /** Istio's {@code TrafficPolicy.ProxyProtocol}. */
    public record ProxyProtocol(@Nullable Version version) {

        /** Istio's {@code ProxyProtocol.VERSION}. */
        public enum Version {
            V1,
            V2
        }
    }
}
