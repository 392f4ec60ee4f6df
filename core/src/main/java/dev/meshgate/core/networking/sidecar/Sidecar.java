package dev.meshgate.core.networking.sidecar;

import java.util.List;

import dev.meshgate.core.networking.Immutable;
import dev.meshgate.core.networking.WorkloadSelector;
import dev.meshgate.core.networking.destinationrule.ConnectionPoolSettings;

import org.jspecify.annotations.Nullable;

/**
 * The spec of an Istio {@code Sidecar}: the inbound and outbound traffic of the selected workloads' proxies.
 *
 * @param workloadSelector absent: every workload of the namespace without a more specific Sidecar
 * @param egress which hosts the proxy can reach; the first listener without a port is the catch-all
 */
public record Sidecar(@Nullable WorkloadSelector workloadSelector, List<IstioIngressListener> ingress,
        List<IstioEgressListener> egress, @Nullable OutboundTrafficPolicy outboundTrafficPolicy,
        @Nullable ConnectionPoolSettings inboundConnectionPool) {

    public Sidecar {
        ingress = Immutable.list(ingress);
        egress = Immutable.list(egress);
    }
}
