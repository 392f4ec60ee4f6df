package dev.meshgate.core.translate.gateway;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import dev.meshgate.core.index.MeshIndex;
import dev.meshgate.core.networking.virtualservice.VirtualService;
import dev.meshgate.core.registry.Visibility;
import dev.meshgate.core.resource.Resource;
import dev.meshgate.core.translate.HostResolver;
import dev.meshgate.core.translate.cluster.ClusterKey;
import dev.meshgate.core.translate.gateway.GatewayServers.BoundServer;
import dev.meshgate.core.translate.gateway.GatewayServers.Kind;
import dev.meshgate.core.translate.http.RouteContext;
import dev.meshgate.core.translate.tcp.TcpRouteTranslator;
import dev.meshgate.core.translate.tcp.TlsRouteTranslator;
import dev.meshgate.core.view.ListenerSpec;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.TcpListenerSpec;
import dev.meshgate.core.view.TcpRouteSpec;

/**
 * Implements {@code Gateway.spec.servers[]} served over TCP, after pilot's gateway TCP filter chains: servers with
 * protocol TCP, MONGO, MYSQL or REDIS (opaque TCP) and HTTPS or TLS servers with {@code tls.mode: PASSTHROUGH}
 * (routed by the ClientHello's SNI without terminating TLS). One {@code gateway-tcp/<port>} listener per port.
 *
 * <ul>
 *   <li>The VirtualServices considered for a server are those bound to its Gateway ({@code gateways}) and exported
 *       to the proxy's namespace, one of whose hosts intersects one of the server's {@code [ns/]host}s, in
 *       {@link MeshIndex#virtualServicePrecedence} order.
 *   <li>Opaque TCP: the first {@code tcp[]} rule of those VirtualServices one of whose matches holds for the server
 *       ({@code port}, {@code gateways} naming the server's Gateway; a rule without match holds) gives the
 *       server's routes ({@link TcpRouteTranslator}); the rest are not used, as in Istio.
 *   <li>PASSTHROUGH: every {@code tls[]} match that holds gives a route for its {@code sniHosts}
 *       ({@link TlsRouteTranslator}); a match naming an SNI host an earlier one took is skipped (Istio skips
 *       duplicate filter chain matches).
 *   <li>SNI routes come before routes without SNI (Envoy prefers a filter chain matching the server name); a
 *       connection no route takes is closed (Envoy's NR, no filter chain). A port with no route gets no listener,
 *       as Istio drops a gateway listener without filter chains.
 * </ul>
 */
public final class GatewayTcpServerTranslator {

    private GatewayTcpServerTranslator() {
    }

    /** The TCP listeners of {@code proxy}, by port; every cluster their routes name is added to {@code clusters}. */
    public static List<TcpListenerSpec> translate(MeshIndex index, ProxyIdentity proxy, Set<ClusterKey> clusters) {
        List<TcpListenerSpec> out = new ArrayList<>();
        GatewayServers.byPort(index, proxy, false).forEach((port, servers) -> {
            List<TcpRouteSpec> sni = new ArrayList<>();
            List<TcpRouteSpec> plain = new ArrayList<>();
            Set<String> claimed = new HashSet<>();
            for (BoundServer bound : servers) {
                for (Resource<VirtualService> vs : boundVirtualServices(index, proxy, bound)) {
                    Set<ClusterKey> used = new LinkedHashSet<>();
                    RouteContext context = new RouteContext(index, proxy, Set.of(bound.gateway().key()), port, used);
                    if (bound.kind() == Kind.PASSTHROUGH) {
                        for (int i = 0; i < vs.spec().tls().size(); i++) {
                            for (TcpRouteSpec route : TlsRouteTranslator.translate(vs, i, context)) {
                                if (route.sniHosts().stream().noneMatch(claimed::contains) && !sni.contains(route)) {
                                    claimed.addAll(route.sniHosts());
                                    sni.add(route);
                                    keep(route, used, clusters);
                                }
                            }
                        }
                    } else if (tcp(vs, context, plain, clusters)) {
                        break;
                    }
                }
            }
            List<TcpRouteSpec> routes = new ArrayList<>(sni);
            routes.addAll(plain);
            if (!routes.isEmpty()) {
                out.add(new TcpListenerSpec("gateway-tcp/" + port, port, ListenerSpec.Direction.GATEWAY, routes));
            }
        });
        return out;
    }

    /** The routes of the first {@code tcp[]} rule of {@code vs} that holds, added to {@code routes}; whether one did. */
    private static boolean tcp(Resource<VirtualService> vs, RouteContext context, List<TcpRouteSpec> routes,
            Set<ClusterKey> clusters) {
        for (int i = 0; i < vs.spec().tcp().size(); i++) {
            List<TcpRouteSpec> rule = TcpRouteTranslator.translate(vs, i, context);
            if (!rule.isEmpty()) {
                for (TcpRouteSpec route : rule) {
                    if (!routes.contains(route)) {
                        routes.add(route);
                    }
                    keep(route, context.clusters(), clusters);
                }
                return true;
            }
        }
        return false;
    }

    /** Adds the clusters of {@code used} that {@code route} names to {@code clusters}. */
    private static void keep(TcpRouteSpec route, Set<ClusterKey> used, Set<ClusterKey> clusters) {
        for (ClusterKey key : used) {
            for (TcpRouteSpec.WeightedCluster cluster : route.clusters()) {
                if (cluster.cluster().equals(key.name())) {
                    clusters.add(key);
                }
            }
        }
    }

    /** The VirtualServices bound to the server's Gateway that serve one of its hosts, in precedence order. */
    private static List<Resource<VirtualService>> boundVirtualServices(MeshIndex index, ProxyIdentity proxy,
            BoundServer bound) {
        String suffix = index.settings().domainSuffix();
        List<Resource<VirtualService>> out = new ArrayList<>();
        for (Resource<VirtualService> vs : index.virtualServicesOfGateway(bound.gateway().key())) {
            if (!Visibility.isExportedTo(vs.spec().exportTo(), vs.metadata().namespace(), proxy.namespace())) {
                continue;
            }
            boolean serves = false;
            for (String written : vs.spec().hosts()) {
                String vsHost = HostResolver.resolve(written, vs.metadata().namespace(), suffix);
                for (String serverHost : bound.server().hosts()) {
                    if (GatewayViewTranslator.intersection(serverHost, vsHost, vs.metadata().namespace(),
                            bound.gateway().metadata().namespace()) != null) {
                        serves = true;
                    }
                }
            }
            if (serves) {
                out.add(vs);
            }
        }
        out.sort(MeshIndex.virtualServicePrecedence(proxy.namespace()));
        return out;
    }
}
