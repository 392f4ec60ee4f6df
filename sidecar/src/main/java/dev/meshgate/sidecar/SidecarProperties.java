package dev.meshgate.sidecar;

import java.time.Duration;
import java.util.Map;

import dev.meshgate.sidecar.interception.InterceptionMode;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The sidecar's listeners and its workload ({@code meshgate.sidecar.*}).
 *
 * @param outboundPort where the app sends its outbound requests (the main server port; 0 picks a free one)
 * @param inboundPort where mesh traffic for the app arrives (0 picks a free one)
 * @param appPort the app's port; without it the sidecar has no inbound listener (a client-only workload)
 * @param appAddress the app's address
 * @param bindAddress the address both listeners and the admin port bind: loopback, so that local mode exposes
 *     nothing
 * @param tcpPortMap service port of a TCP/TLS outbound listener to the local port it listens on
 *     ({@code tcp-port-map.6379=16379}); unlisted: the service port itself, as Istio's {@code 0.0.0.0_<port>}
 *     listeners; 0 picks a free port
 * @param inboundTcpPorts inbound TCP listeners: local port to the app port its connections go to
 *     ({@code inbound-tcp-ports.15379=6379}); mesh TCP traffic for the app arrives there (the endpoint port of
 *     the workload's TCP service port)
 * @param interception NONE (the app addresses the sidecar) or REDIRECT (the pod's iptables rules redirect its TCP
 *     to the outbound and inbound ports; the original destination picks listener and protocol)
 * @param protocolDetectionTimeout with REDIRECT, how long a sniffed connection (outbound, or inbound to a port
 *     with no declared protocol) may stay silent before it is taken as TCP (a server-first protocol such as
 *     MySQL); 0 waits as long as the client takes. Unset: MeshConfig's {@code protocolDetectionTimeout} (Istio's
 *     default 0s); set, it overrides MeshConfig's for this sidecar
 */
@ConfigurationProperties("meshgate.sidecar")
public record SidecarProperties(@DefaultValue("15001") int outboundPort, @DefaultValue("15006") int inboundPort,
        @Nullable Integer appPort, @DefaultValue("127.0.0.1") String appAddress,
        @DefaultValue("127.0.0.1") String bindAddress, Map<Integer, Integer> tcpPortMap,
        Map<Integer, Integer> inboundTcpPorts, @DefaultValue("NONE") InterceptionMode interception,
        @Nullable Duration protocolDetectionTimeout) {

    public SidecarProperties {
        tcpPortMap = tcpPortMap == null ? Map.of() : Map.copyOf(tcpPortMap);
        inboundTcpPorts = inboundTcpPorts == null ? Map.of() : Map.copyOf(inboundTcpPorts);
        if (protocolDetectionTimeout != null && (protocolDetectionTimeout.isNegative()
                || protocolDetectionTimeout.compareTo(Duration.ofMillis(1)) < 0 && !protocolDetectionTimeout.isZero())) {
            throw new IllegalArgumentException("protocolDetectionTimeout: %s (expected: 0 or >= 1ms)"
                    .formatted(protocolDetectionTimeout));
        }
    }
}
