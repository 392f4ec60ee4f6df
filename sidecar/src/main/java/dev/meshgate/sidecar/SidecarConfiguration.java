package dev.meshgate.sidecar;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.meshgate.core.translate.sidecar.SidecarTcpListenerTranslator;
import dev.meshgate.core.view.ListenerSpec;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.ProxyKind;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.proxy.discovery.ProxyProperties;
import dev.meshgate.proxy.discovery.ViewApplier;
import dev.meshgate.proxy.listener.ListenerServerFactory;
import dev.meshgate.proxy.route.MeshRouteTable;
import dev.meshgate.proxy.security.mtls.InboundMutualTls;
import dev.meshgate.proxy.tcp.TcpListeners;
import dev.meshgate.proxy.tcp.TcpObserver;
import dev.meshgate.sidecar.inbound.InboundListener;
import dev.meshgate.sidecar.inbound.InboundRoute;
import dev.meshgate.sidecar.inbound.InboundTcpRoutes;
import dev.meshgate.sidecar.interception.Interception;
import dev.meshgate.sidecar.interception.InterceptionMode;
import dev.meshgate.sidecar.outbound.OutboundListener;

import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Wires the sidecar: its identity, its two listeners and the inbound route it adds to every pushed view. The beans
 * of a mode (inbound listener with an app port, interception with REDIRECT) are always defined and {@code null} (a
 * {@code NullBean}) when the mode is off, rather than behind property conditions: Spring AOT decides conditions
 * once, at build time (docs/performance.md, "Spring AOT"); {@code SidecarConditionsTest} keeps it that way.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({ProxyProperties.class, SidecarProperties.class})
class SidecarConfiguration {

    @Bean
    ProxyIdentity proxyIdentity(ProxyProperties proxy) {
        return proxy.identity(ProxyKind.SIDECAR, Map.of());
    }

    @Bean
    OutboundListener outboundListener() {
        return new OutboundListener();
    }

    /** Without an app port, a client-only workload: no inbound listener. */
    @Bean
    @Nullable InboundListener inboundListener(SidecarProperties sidecar, ListenerServerFactory servers,
            InboundMutualTls mtls, ObjectProvider<Interception> interception) throws UnknownHostException {
        if (sidecar.appPort() == null) {
            return null;
        }
        List<NettyServerCustomizer> customizers = new ArrayList<>();
        customizers.add(mtls.customizer(sidecar.appPort()));
        // After mutual TLS, so that its handler is the pipeline's first: the connection is dispatched before TLS.
        interception.ifAvailable(i -> customizers.add(i.inbound()));
        return new InboundListener(servers, InetAddress.getByName(sidecar.bindAddress()), sidecar.inboundPort(),
                customizers);
    }

    @Bean
    @Nullable Interception interception(SidecarProperties sidecar) {
        if (sidecar.interception() != InterceptionMode.REDIRECT) {
            return null;
        }
        String loopback = sidecar.bindAddress().equals("0.0.0.0") ? "127.0.0.1" : sidecar.bindAddress();
        return new Interception(loopback, sidecar.appAddress(), sidecar.appPort(), sidecar.inboundTcpPorts(),
                sidecar.protocolDetectionTimeout());
    }

    /** The outbound listener is the main server: intercepted connections are dispatched before HTTP decoding. */
    @Bean
    @Nullable NettyServerCustomizer outboundInterception(ObjectProvider<Interception> interception,
            OutboundListener outbound) {
        Interception redirect = interception.getIfAvailable();
        return redirect == null ? null : redirect.outbound(outbound::port);
    }

    @Bean
    ViewApplier sidecarViewApplier(SidecarProperties sidecar, ProxyProperties proxy, MeshRouteTable table,
            TcpListeners tcp, ObjectProvider<Interception> interception, ObjectProvider<InboundListener> listener) {
        Integer appPort = sidecar.appPort();
        InboundRoute inbound = appPort == null ? null : new InboundRoute(sidecar.appAddress(), appPort,
                proxy.labels(), () -> {
                    InboundListener bound = listener.getIfAvailable();
                    return bound == null ? -1 : bound.port();
                }, interception.getIfAvailable() != null);
        InboundTcpRoutes inboundTcp = new InboundTcpRoutes(sidecar.appAddress(), sidecar.inboundTcpPorts());
        return pushed -> {
            var served = inboundTcp.addTo(inbound == null ? pushed : inbound.addTo(pushed));
            table.apply(served);
            // after the route table, so that the clusters the TCP routes name serve when connections arrive; the
            // listeners of sniffed TLS are reached through interception only
            tcp.apply(interception.getIfAvailable() != null ? served : withoutSniffedTls(served));
            interception.ifAvailable(i -> i.viewApplied(served, tcp.ports()));
            return served;
        };
    }

    private static ProxyView withoutSniffedTls(ProxyView view) {
        return view.withRouting(view.listeners(), view.clusters(), view.tcpListeners().stream()
                .filter(l -> !l.name().startsWith(SidecarTcpListenerTranslator.SNIFFED_TLS_PREFIX)).toList());
    }

    @Bean(destroyMethod = "close")
    TcpListeners tcpListeners(SidecarProperties sidecar, MeshRouteTable table, ObjectProvider<TcpObserver> observer)
            throws UnknownHostException {
        return new TcpListeners(InetAddress.getByName(sidecar.bindAddress()),
                spec -> spec.name().startsWith(SidecarTcpListenerTranslator.SNIFFED_TLS_PREFIX) ? 0
                        : spec.direction() == ListenerSpec.Direction.OUTBOUND
                                ? sidecar.tcpPortMap().getOrDefault(spec.port(), spec.port()) : spec.port(),
                table::cluster, observer.getIfAvailable(() -> TcpObserver.NONE));
    }

    @Bean
    SidecarListeners sidecarListeners(OutboundListener outbound, ObjectProvider<InboundListener> inbound,
            TcpListeners tcp) {
        return new SidecarListeners(outbound, inbound.getIfAvailable(), tcp);
    }
}
