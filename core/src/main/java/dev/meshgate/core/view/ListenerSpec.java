package dev.meshgate.core.view;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A port the proxy serves and the virtual hosts behind it.
 *
 * @param name stable name: {@code outbound} for a sidecar's outbound listener, {@code gateway/<port>} for a
 *     gateway's HTTP servers on one port (servers of every Gateway selecting the proxy share it)
 * @param port for gateways the {@code Gateway} server port (80, 443...; the gateway maps it to a local port);
 *     for the sidecar's outbound listener 0, meaning "the port the sidecar was told to listen on"
 * @param direction outbound (sidecar), or gateway
 * @param virtualHosts chosen by the request's authority, as Envoy's virtual hosts are
 * @param tls a gateway listener's TLS servers, chosen by the client's SNI; empty for a plaintext listener
 * @param httpsRedirectHosts on a plaintext gateway listener, the hosts ({@code name}, {@code *.suffix} or
 *     {@code *}) of servers with {@code tls.httpsRedirect}: their requests get a 301 to {@code https}
 * @param grpcWeb Envoy's {@code grpc_web} filter is on the listener, as Istio puts it on the HTTP connection
 *     manager of a {@code GRPC-WEB} port (a gateway port whose server protocol is {@code GRPC-WEB}): its gRPC-Web
 *     requests are translated to gRPC whatever their destination; left out of the JSON when false, so that views
 *     of other listeners keep their versions
 */
public record ListenerSpec(String name, int port, Direction direction, List<VirtualHostSpec> virtualHosts,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<ServerTlsSpec> tls,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> httpsRedirectHosts,
        @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = ClusterSpec.NotGrpcWeb.class) Boolean grpcWeb) {

    public ListenerSpec {
        virtualHosts = virtualHosts == null ? List.of() : List.copyOf(virtualHosts);
        // Absent in a view from a control plane that predates the fields: plaintext, no redirect.
        tls = tls == null ? List.of() : List.copyOf(tls);
        httpsRedirectHosts = httpsRedirectHosts == null ? List.of() : List.copyOf(httpsRedirectHosts);
        // Boxed so that a view without it (every listener but a GRPC-WEB gateway port's) reads as false.
        grpcWeb = grpcWeb != null && grpcWeb;
    }

    /** A listener without Envoy's {@code grpc_web} filter. */
    public ListenerSpec(String name, int port, Direction direction, List<VirtualHostSpec> virtualHosts,
            List<ServerTlsSpec> tls, List<String> httpsRedirectHosts) {
        this(name, port, direction, virtualHosts, tls, httpsRedirectHosts, false);
    }

    /** A plaintext listener without redirects. */
    public ListenerSpec(String name, int port, Direction direction, List<VirtualHostSpec> virtualHosts) {
        this(name, port, direction, virtualHosts, List.of(), List.of());
    }

    /** This listener serving {@code newVirtualHosts} instead of its own. */
    public ListenerSpec withVirtualHosts(List<VirtualHostSpec> newVirtualHosts) {
        return new ListenerSpec(name, port, direction, newVirtualHosts, tls, httpsRedirectHosts, grpcWeb);
    }

    /** Which kind of traffic a listener carries. */
    public enum Direction {
        OUTBOUND,
        INBOUND,
        GATEWAY
    }
}
