package dev.meshgate.core.view;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A port on which the proxy forwards opaque TCP (and TLS without terminating it): Envoy's listener with
 * {@code tcp_proxy} filter chains. Each connection takes the first of {@code routes} that matches it, then one of
 * that route's clusters by weight, then one endpoint of the cluster (load balancing per connection).
 *
 * @param name stable name: {@code outbound-tcp/<port>} for a sidecar's outbound port, {@code inbound-tcp/<port>}
 *     for a sidecar's inbound one, {@code gateway-tcp/<port>} for a gateway's TCP/TLS servers on one port
 * @param port the service port (outbound), the Gateway server port (gateway), or the local port (inbound); the
 *     proxy maps it to the local port it listens on
 * @param direction outbound (sidecar), inbound (sidecar, towards the app) or gateway
 * @param routes first match wins; a connection no route matches is closed
 * @param tls a gateway's servers terminating TLS on this port ({@code protocol: TLS} with SIMPLE, MUTUAL,
 *     OPTIONAL_MUTUAL or ISTIO_MUTUAL), chosen by SNI: the routes get the decrypted bytes; empty: none is terminated
 */
public record TcpListenerSpec(String name, int port, ListenerSpec.Direction direction, List<TcpRouteSpec> routes,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<ServerTlsSpec> tls) {

    public TcpListenerSpec {
        routes = routes == null ? List.of() : List.copyOf(routes);
        tls = tls == null ? List.of() : List.copyOf(tls);
    }

    /** A listener that terminates no TLS. */
    public TcpListenerSpec(String name, int port, ListenerSpec.Direction direction, List<TcpRouteSpec> routes) {
        this(name, port, direction, routes, List.of());
    }

    /** Whether a route looks at the TLS ClientHello's server name, so that the proxy must read it first. */
    public boolean readsSni() {
        for (TcpRouteSpec route : routes) {
            if (!route.sniHosts().isEmpty()) {
                return true;
            }
        }
        return false;
    }
}
