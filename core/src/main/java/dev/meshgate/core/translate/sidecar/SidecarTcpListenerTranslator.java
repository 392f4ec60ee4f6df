package dev.meshgate.core.translate.sidecar;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import dev.meshgate.core.index.MeshIndex;
import dev.meshgate.core.networking.virtualservice.VirtualService;
import dev.meshgate.core.registry.Service;
import dev.meshgate.core.registry.ServicePort;
import dev.meshgate.core.registry.Visibility;
import dev.meshgate.core.resource.Resource;
import dev.meshgate.core.translate.cluster.ClusterKey;
import dev.meshgate.core.translate.http.RouteContext;
import dev.meshgate.core.translate.tcp.TcpRouteTranslator;
import dev.meshgate.core.translate.tcp.TlsRouteTranslator;
import dev.meshgate.core.view.ListenerSpec;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.TcpListenerSpec;
import dev.meshgate.core.view.TcpRouteSpec;

/**
 * The sidecar's outbound TCP listeners: one per port number of the TCP and TLS service ports the proxy's namespace
 * sees (protocols {@code TCP}, {@code TLS}, {@code HTTPS}, {@code MONGO}, {@code MYSQL}, {@code REDIS}), as Istio's
 * {@code 0.0.0.0_<port>} listeners of services without a VIP.
 *
 * <ul>
 *   <li>The VirtualService serving a service is chosen as for HTTP ({@link SidecarViewTranslator}). On a TLS or
 *       HTTPS port its {@code tls} routes come first, then its {@code tcp} routes; on other ports only its
 *       {@code tcp} routes.
 *   <li>A service port no VirtualService routes (or whose VirtualService routes nothing for this proxy) gets
 *       Istio's default: one route {@code default.<cluster>} to {@code outbound|<port>||<host>}.
 *   <li>Services sharing a port number share the listener, their routes in host order. A connection carries no
 *       host name (the sidecar is not told the original destination), so on a plain TCP port the first service's
 *       unconditional route takes every connection; on TLS ports the server names tell them apart.
 *   <li>A port number whose service ports declare no protocol (Istio sniffs them) and that no TCP listener has gets
 *       an {@code outbound-tls/<port>} listener: the TLS connections an intercepting sidecar sniffs there go to the
 *       service the ClientHello's server name names, {@code outbound|<port>||<host>}, as Istio's TCP filter chain
 *       of such a port forwards TLS to its service.
 * </ul>
 */
public final class SidecarTcpListenerTranslator {

    /** Port protocols whose traffic the sidecar forwards as opaque TCP. */
    private static final Set<String> TCP_PROTOCOLS = Set.of("TCP", "TLS", "HTTPS", "MONGO", "MYSQL", "REDIS");
    private static final Set<String> TLS_PROTOCOLS = Set.of("TLS", "HTTPS");
    /** Name prefix of the listeners of TLS sniffed on ports without a declared protocol. */
    public static final String SNIFFED_TLS_PREFIX = "outbound-tls/";

    private SidecarTcpListenerTranslator() {
    }

    /** The outbound TCP listeners of {@code proxy}, by port; every cluster their routes name goes into {@code clusters}. */
    public static List<TcpListenerSpec> translate(MeshIndex index, ProxyIdentity proxy, Set<ClusterKey> clusters) {
        String suffix = index.settings().domainSuffix();
        List<Service> services = new ArrayList<>();
        for (Service service : index.registry().services()) {
            if (service.isVisibleTo(proxy.namespace()) && (hasTcpPort(service) || hasUndeclaredPort(service))) {
                services.add(service);
            }
        }
        if (services.isEmpty()) {
            return List.of();
        }
        services.sort(Comparator.comparing(Service::hostname));
        List<Resource<VirtualService>> visible = new ArrayList<>();
        for (Resource<VirtualService> vs : index.meshVirtualServices()) {
            if (Visibility.isExportedTo(vs.spec().exportTo(), vs.metadata().namespace(), proxy.namespace())) {
                visible.add(vs);
            }
        }
        visible.sort(MeshIndex.virtualServicePrecedence(proxy.namespace()));
        Map<String, Resource<VirtualService>> byService =
                SidecarViewTranslator.mostSpecificVirtualService(visible, services, suffix);

        Map<Integer, List<TcpRouteSpec>> byPort = new TreeMap<>();
        for (Service service : services) {
            for (ServicePort port : service.ports()) {
                if (!TCP_PROTOCOLS.contains(port.protocol())) {
                    continue;
                }
                Set<ClusterKey> used = new LinkedHashSet<>();
                RouteContext context = new RouteContext(index, proxy, Set.of(MeshIndex.MESH_GATEWAY), port.number(),
                        used);
                List<TcpRouteSpec> routes = new ArrayList<>();
                Resource<VirtualService> vs = byService.get(service.hostname());
                if (vs != null) {
                    if (TLS_PROTOCOLS.contains(port.protocol())) {
                        for (int i = 0; i < vs.spec().tls().size(); i++) {
                            routes.addAll(TlsRouteTranslator.translate(vs, i, context));
                        }
                    }
                    for (int i = 0; i < vs.spec().tcp().size(); i++) {
                        routes.addAll(TcpRouteTranslator.translate(vs, i, context));
                    }
                }
                if (routes.isEmpty()) {
                    used.clear();
                    ClusterKey cluster = new ClusterKey(service.hostname(), port.number(), null);
                    used.add(cluster);
                    routes.add(defaultRoute(cluster));
                }
                clusters.addAll(used);
                List<TcpRouteSpec> listener = byPort.computeIfAbsent(port.number(), p -> new ArrayList<>());
                for (TcpRouteSpec route : routes) {
                    // a VirtualService serving several hosts on one port gives them the same routes: once is enough
                    if (!listener.contains(route)) {
                        listener.add(route);
                    }
                }
            }
        }
        Map<Integer, List<TcpRouteSpec>> sniffed = new TreeMap<>();
        for (Service service : services) {
            for (ServicePort port : service.ports()) {
                if (port.protocol().isEmpty() && !byPort.containsKey(port.number())) {
                    ClusterKey cluster = new ClusterKey(service.hostname(), port.number(), null);
                    clusters.add(cluster);
                    sniffed.computeIfAbsent(port.number(), p -> new ArrayList<>()).add(new TcpRouteSpec(
                            "sni." + cluster.name(), List.of(service.hostname()), List.of(),
                            List.of(new TcpRouteSpec.WeightedCluster(cluster.name(), 100))));
                }
            }
        }
        List<TcpListenerSpec> out = new ArrayList<>();
        byPort.forEach((port, routes) -> out.add(new TcpListenerSpec("outbound-tcp/" + port, port,
                ListenerSpec.Direction.OUTBOUND, routes)));
        sniffed.forEach((port, routes) -> out.add(new TcpListenerSpec(SNIFFED_TLS_PREFIX + port, port,
                ListenerSpec.Direction.OUTBOUND, routes)));
        return out;
    }

    /** Istio's default TCP route of a service port: every connection to its cluster. */
    public static TcpRouteSpec defaultRoute(ClusterKey cluster) {
        return new TcpRouteSpec("default." + cluster.name(), List.of(), List.of(),
                List.of(new TcpRouteSpec.WeightedCluster(cluster.name(), 100)));
    }

    private static boolean hasUndeclaredPort(Service service) {
        return service.ports().stream().anyMatch(port -> port.protocol().isEmpty());
    }

    private static boolean hasTcpPort(Service service) {
        for (ServicePort port : service.ports()) {
            if (TCP_PROTOCOLS.contains(port.protocol())) {
                return true;
            }
        }
        return false;
    }
}
