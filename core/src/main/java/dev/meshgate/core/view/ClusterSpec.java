package dev.meshgate.core.view;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * A named set of endpoints a route can send to: one service port, optionally narrowed to a DestinationRule
 * subset.
 *
 * @param name Istio's form {@code outbound|<port>|<subset>|<fqdn>}, e.g. {@code outbound|9080|v1|reviews.default.svc.cluster.local}
 * @param host the service's FQDN (or ServiceEntry host)
 * @param port the service port
 * @param subset the DestinationRule subset, when the route names one
 * @param discovery how endpoints are found: listed here (STATIC), or the host is resolved by DNS at connect
 *     time (DNS: {@code endpoints} hold host names)
 * @param endpoints in a stable order
 * @param trafficPolicy the DestinationRule traffic policy in force for this cluster ({@link TrafficPolicySpec#DEFAULT}
 *     when none)
 */
public record ClusterSpec(String name, String host, int port, @Nullable String subset, Discovery discovery,
        List<EndpointSpec> endpoints, TrafficPolicySpec trafficPolicy) {

    public ClusterSpec {
        endpoints = endpoints == null ? List.of() : List.copyOf(endpoints);
        trafficPolicy = trafficPolicy == null ? TrafficPolicySpec.DEFAULT : trafficPolicy;
    }

    /** A cluster under Istio's default traffic policy. */
    public ClusterSpec(String name, String host, int port, @Nullable String subset, Discovery discovery,
            List<EndpointSpec> endpoints) {
        this(name, host, port, subset, discovery, endpoints, TrafficPolicySpec.DEFAULT);
    }

    /** How a cluster's endpoints are known. */
    public enum Discovery {
        STATIC,
        DNS
    }
}
