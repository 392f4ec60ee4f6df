package dev.meshgate.sidecar.interception;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.IntSupplier;

import dev.meshgate.core.view.ListenerSpec;
import dev.meshgate.proxy.listener.PassthroughTarget;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.translate.sidecar.SidecarTcpListenerTranslator;
import dev.meshgate.core.view.TcpListenerSpec;
import dev.meshgate.core.view.TcpRouteSpec;
import dev.meshgate.sidecar.interception.InterceptedConnection.Decision;

import io.netty.channel.Channel;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;

/**
 * Transparent interception for a sidecar whose pod's TCP is redirected by iptables (Istio's REDIRECT mode).
 *
 * <p>Outbound (15001): a connection to a port with an outbound TCP listener of the view is relayed to that listener
 * (TCP routes); otherwise its first bytes are sniffed: HTTP is served by the outbound HTTP listener (virtual host by
 * Host, as for a client that addresses the sidecar); a TLS ClientHello whose server name one of the port's
 * services has (its {@code outbound-tls/<port>} listener) is relayed to that listener, which routes it by SNI to
 * the service; anything else is passed through untouched to its original destination, or closed when the mesh's
 * {@code outboundTrafficPolicy} is REGISTRY_ONLY.
 *
 * <p>Inbound (15006): a connection to the app's HTTP port goes through the inbound HTTP chain (mutual TLS,
 * authorization, metrics) to the app; to a port with an inbound TCP listener, to that listener. A connection to any
 * other port (no protocol declared) is sniffed, as Istio's inbound passthrough filter chains are: HTTP goes through
 * the inbound HTTP chain too, to the app on that port ({@link PassthroughTarget}); anything else straight to the
 * app on that port as TCP.
 *
 * <p>A client silent for the protocol detection timeout is taken as TCP (a server-first protocol); the timeout is
 * the sidecar's own setting when it has one, else MeshConfig's {@code protocolDetectionTimeout} from the view, whose
 * default, zero, waits as long as the client takes.
 */
public final class Interception {

    private static final int ANY_PORT = -2;

    private final String loopback;
    private final String appAddress;
    private final @Nullable Integer appPort;
    /** App port to the inbound TCP listener's local port. */
    private final Map<Integer, Integer> inboundTcp;
    private final @Nullable Duration localDetectionTimeout;
    private volatile Duration meshDetectionTimeout = Duration.ZERO;
    private final Function<Channel, @Nullable InetSocketAddress> originals;
    private volatile Map<Integer, Integer> outboundTcp = Map.of();
    /** Port to the listener of TLS sniffed there, with the server names its routes take. */
    private volatile Map<Integer, SniffedTls> sniffedTls = Map.of();
    private volatile boolean registryOnly;

    /**
     * @param loopback where the proxy's own TCP listeners are reached
     * @param inboundTcpPorts inbound TCP listener port to the app port it serves ({@code inbound-tcp-ports})
     * @param detectionTimeout the sidecar's own protocol detection timeout; null: MeshConfig's
     */
    public Interception(String loopback, String appAddress, @Nullable Integer appPort,
            Map<Integer, Integer> inboundTcpPorts, @Nullable Duration detectionTimeout) {
        this(loopback, appAddress, appPort, inboundTcpPorts, detectionTimeout, OriginalDestination::of);
    }

    /** With another way of reading original destinations (tests without iptables). */
    Interception(String loopback, String appAddress, @Nullable Integer appPort, Map<Integer, Integer> inboundTcpPorts,
            @Nullable Duration detectionTimeout, Function<Channel, @Nullable InetSocketAddress> originals) {
        this.originals = originals;
        this.loopback = loopback;
        this.appAddress = appAddress;
        this.appPort = appPort;
        Map<Integer, Integer> byAppPort = new HashMap<>();
        inboundTcpPorts.forEach((local, app) -> byAppPort.put(app, local));
        this.inboundTcp = Map.copyOf(byAppPort);
        this.localDetectionTimeout = detectionTimeout;
    }

    /**
     * Takes the applied view's outbound policy, protocol detection timeout (for connections accepted from now on)
     * and its outbound TCP listeners' local ports (by listener name).
     */
    public void viewApplied(ProxyView view, Map<String, Integer> tcpListenerPorts) {
        Map<Integer, Integer> ports = new HashMap<>();
        Map<Integer, SniffedTls> tls = new HashMap<>();
        for (TcpListenerSpec spec : view.tcpListeners()) {
            Integer local = tcpListenerPorts.get(spec.name());
            if (spec.direction() != ListenerSpec.Direction.OUTBOUND || local == null) {
                continue;
            }
            if (spec.name().startsWith(SidecarTcpListenerTranslator.SNIFFED_TLS_PREFIX)) {
                tls.put(spec.port(), new SniffedTls(spec, new InetSocketAddress(loopback, local)));
            } else {
                ports.put(spec.port(), local);
            }
        }
        outboundTcp = Map.copyOf(ports);
        sniffedTls = Map.copyOf(tls);
        registryOnly = view.outboundTrafficPolicy() == ProxyView.OutboundTrafficPolicy.REGISTRY_ONLY;
        Long meshTimeout = view.protocolDetectionTimeoutMillis();
        meshDetectionTimeout = meshTimeout == null ? Duration.ZERO : Duration.ofMillis(meshTimeout);
    }

    /** The protocol detection timeout in force: the sidecar's own, else MeshConfig's (zero: none). */
    Duration detectionTimeout() {
        return localDetectionTimeout != null ? localDetectionTimeout : meshDetectionTimeout;
    }

    /** The outbound listener's customizer; connections on other ports ({@code listenerPort}) are not touched. */
    public NettyServerCustomizer outbound(IntSupplier listenerPort) {
        return customizer(listenerPort, new InterceptedConnection.Dispatch() {
            @Override
            public Decision onConnect(@Nullable InetSocketAddress original) {
                if (original == null) {
                    return Decision.HTTP;
                }
                Integer local = outboundTcp.get(original.getPort());
                return local != null ? new Decision.Relay(new InetSocketAddress(loopback, local)) : Decision.SNIFF;
            }

            @Override
            public Decision afterSniff(InetSocketAddress original, ProtocolSniffer.Protocol protocol,
                    @Nullable String serverName) {
                if (protocol == ProtocolSniffer.Protocol.HTTP) {
                    return Decision.HTTP;
                }
                SniffedTls tls = protocol == ProtocolSniffer.Protocol.TLS ? sniffedTls.get(original.getPort()) : null;
                if (tls != null && tls.takes(serverName)) {
                    return new Decision.Relay(tls.listener());
                }
                return registryOnly ? new Decision.Close("REGISTRY_ONLY: " + original + " is not in the registry")
                        : new Decision.Relay(original);
            }
        });
    }

    /** The inbound listener's customizer (given to that listener's server only). */
    public NettyServerCustomizer inbound() {
        return customizer(() -> ANY_PORT, new InterceptedConnection.Dispatch() {
            @Override
            public Decision onConnect(@Nullable InetSocketAddress original) {
                if (original == null || appPort != null && original.getPort() == appPort) {
                    return Decision.HTTP;
                }
                Integer local = inboundTcp.get(original.getPort());
                return local != null ? new Decision.Relay(new InetSocketAddress(loopback, local)) : Decision.SNIFF;
            }

            @Override
            public Decision afterSniff(InetSocketAddress original, ProtocolSniffer.Protocol protocol,
                    @Nullable String serverName) {
                InetSocketAddress app = new InetSocketAddress(appAddress, original.getPort());
                return protocol == ProtocolSniffer.Protocol.HTTP ? new Decision.Http(app) : new Decision.Relay(app);
            }
        });
    }

    /** The listener of TLS sniffed on a port whose services declare no protocol. */
    private record SniffedTls(java.util.Set<String> exact, List<TcpRouteSpec> wildcards, InetSocketAddress listener) {
        SniffedTls(TcpListenerSpec spec, InetSocketAddress listener) {
            this(spec.routes().stream().flatMap(r -> r.sniHosts().stream()).filter(h -> !h.startsWith("*"))
                    .map(h -> h.toLowerCase(java.util.Locale.ROOT)).collect(java.util.stream.Collectors.toSet()),
                    spec.routes().stream().filter(r -> r.sniHosts().stream().anyMatch(h -> h.startsWith("*")))
                            .toList(), listener);
        }

        boolean takes(@Nullable String serverName) {
            return serverName != null && (exact.contains(serverName.toLowerCase(java.util.Locale.ROOT))
                    || wildcards.stream().anyMatch(route -> route.matchesSni(serverName)));
        }
    }

    private NettyServerCustomizer customizer(IntSupplier listenerPort, InterceptedConnection.Dispatch dispatch) {
        return server -> server.doOnChannelInit((observer, channel, remote) -> {
            if (channel.localAddress() instanceof InetSocketAddress local
                    && (listenerPort.getAsInt() == ANY_PORT || local.getPort() == listenerPort.getAsInt())) {
                channel.pipeline().addFirst(InterceptedConnection.NAME,
                        new InterceptedConnection(dispatch, detectionTimeout(), originals));
            }
        });
    }
}
