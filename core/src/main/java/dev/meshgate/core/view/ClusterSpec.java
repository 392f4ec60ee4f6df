package dev.meshgate.core.view;

import java.util.List;

import org.jspecify.annotations.Nullable;

import com.fasterxml.jackson.annotation.JsonInclude;

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
 * @param upstreamProtocol the HTTP version requests are sent to the endpoints in ({@link UpstreamProtocol#HTTP1}
 *     when absent from an older view)
 * @param grpcWeb the service port's protocol is {@code GRPC-WEB}: Istio puts Envoy's {@code grpc_web} filter on
 *     its listener, so gRPC-Web requests routed here are translated to gRPC (left out of the JSON when false)
 * @param serviceAccounts the SPIFFE ids a server of this cluster may present under ISTIO_MUTUAL when the
 *     DestinationRule names no {@code subjectAltNames}, as pilot gives Envoy: {@code spiffe://<td>/ns/<service
 *     namespace>/sa/<sa>} of every endpoint of the service with a known service account, in the mesh's trust domain
 *     and each of its aliases; empty when none is known (any mesh identity is accepted), and for other TLS modes
 */
public record ClusterSpec(String name, String host, int port, @Nullable String subset, Discovery discovery,
        List<EndpointSpec> endpoints, TrafficPolicySpec trafficPolicy,
        @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = UpstreamProtocol.Http1.class)
        UpstreamProtocol upstreamProtocol,
        @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = NotGrpcWeb.class) Boolean grpcWeb,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> serviceAccounts) {

    public ClusterSpec {
        serviceAccounts = serviceAccounts == null ? List.of() : List.copyOf(serviceAccounts);
        endpoints = endpoints == null ? List.of() : List.copyOf(endpoints);
        trafficPolicy = trafficPolicy == null ? TrafficPolicySpec.DEFAULT : trafficPolicy;
        upstreamProtocol = upstreamProtocol == null ? UpstreamProtocol.HTTP1 : upstreamProtocol;
        // Boxed so that a view without it (every cluster but a gRPC-Web port's) reads as false.
        grpcWeb = grpcWeb != null && grpcWeb;
    }

    /** Leaves {@code grpcWeb: false} out of a view's JSON, so that views of other clusters do not change. */
    static final class NotGrpcWeb {
        @Override
        public boolean equals(Object value) {
            return value == null || Boolean.FALSE.equals(value);
        }

        @Override
        public int hashCode() {
            return 0;
        }
    }

    /** A cluster whose servers' identities are not known. */
    public ClusterSpec(String name, String host, int port, @Nullable String subset, Discovery discovery,
            List<EndpointSpec> endpoints, TrafficPolicySpec trafficPolicy, UpstreamProtocol upstreamProtocol,
            Boolean grpcWeb) {
        this(name, host, port, subset, discovery, endpoints, trafficPolicy, upstreamProtocol, grpcWeb, List.of());
    }

    /** This cluster, whose servers may present these SPIFFE ids. */
    public ClusterSpec withServiceAccounts(List<String> identities) {
        return new ClusterSpec(name, host, port, subset, discovery, endpoints, trafficPolicy, upstreamProtocol,
                grpcWeb, identities);
    }

    /** A cluster of a port that is not gRPC-Web's. */
    public ClusterSpec(String name, String host, int port, @Nullable String subset, Discovery discovery,
            List<EndpointSpec> endpoints, TrafficPolicySpec trafficPolicy, UpstreamProtocol upstreamProtocol) {
        this(name, host, port, subset, discovery, endpoints, trafficPolicy, upstreamProtocol, false);
    }

    /** A cluster spoken to in HTTP/1.1. */
    public ClusterSpec(String name, String host, int port, @Nullable String subset, Discovery discovery,
            List<EndpointSpec> endpoints, TrafficPolicySpec trafficPolicy) {
        this(name, host, port, subset, discovery, endpoints, trafficPolicy, UpstreamProtocol.HTTP1);
    }

    /** This cluster, spoken to in {@code protocol}. */
    public ClusterSpec withUpstreamProtocol(UpstreamProtocol protocol) {
        return new ClusterSpec(name, host, port, subset, discovery, endpoints, trafficPolicy, protocol, grpcWeb,
                serviceAccounts);
    }

    /** This cluster, with gRPC-Web requests translated to gRPC ({@code grpcWeb}) or not. */
    public ClusterSpec withGrpcWeb(boolean translated) {
        return new ClusterSpec(name, host, port, subset, discovery, endpoints, trafficPolicy, upstreamProtocol,
                translated, serviceAccounts);
    }

    /** A cluster under Istio's default traffic policy. */
    public ClusterSpec(String name, String host, int port, @Nullable String subset, Discovery discovery,
            List<EndpointSpec> endpoints) {
        this(name, host, port, subset, discovery, endpoints, TrafficPolicySpec.DEFAULT);
    }

    /** The HTTP version of upstream requests, as Envoy's cluster protocol options choose it. */
    public enum UpstreamProtocol {
        /** HTTP/1.1. */
        HTTP1,
        /** HTTP/2 without TLS (h2c, prior knowledge), many requests multiplexed per connection. */
        HTTP2,
        /** The version the client's request came in (Envoy's {@code USE_DOWNSTREAM_PROTOCOL}). */
        USE_DOWNSTREAM;

        /** Leaves HTTP/1.1, the default, out of a view's JSON, so that views of HTTP/1.1 clusters do not change. */
        static final class Http1 {
            @Override
            public boolean equals(Object value) {
                return value == null || value == HTTP1;
            }

            @Override
            public int hashCode() {
                return 0;
            }
        }
    }

    /** How a cluster's endpoints are known. */
    public enum Discovery {
        STATIC,
        DNS
    }
}
