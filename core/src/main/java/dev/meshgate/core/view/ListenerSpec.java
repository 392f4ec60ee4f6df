package dev.meshgate.core.view;

import java.util.List;

/**
 * A port the proxy serves and the virtual hosts behind it.
 *
 * @param name stable name: {@code outbound} for a sidecar's outbound listener, {@code gateway/<port>} for a
 *     gateway's HTTP servers on one port (servers of every Gateway selecting the proxy share it)
 * @param port for gateways the {@code Gateway} server port (80, 443...; the gateway maps it to a local port);
 *     for the sidecar's outbound listener 0, meaning "the port the sidecar was told to listen on"
 * @param direction outbound (sidecar), or gateway
 * @param virtualHosts chosen by the request's authority, as Envoy's virtual hosts are
 */
public record ListenerSpec(String name, int port, Direction direction, List<VirtualHostSpec> virtualHosts) {

    public ListenerSpec {
        virtualHosts = virtualHosts == null ? List.of() : List.copyOf(virtualHosts);
    }

    /** Which kind of traffic a listener carries. */
    public enum Direction {
        OUTBOUND,
        INBOUND,
        GATEWAY
    }
}
