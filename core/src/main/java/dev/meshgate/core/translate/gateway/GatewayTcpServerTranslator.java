package dev.meshgate.core.translate.gateway;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import dev.meshgate.core.index.MeshIndex;
import dev.meshgate.core.networking.destinationrule.DestinationRule;
import dev.meshgate.core.networking.destinationrule.Subset;
import dev.meshgate.core.networking.virtualservice.VirtualService;
import dev.meshgate.core.registry.Location;
import dev.meshgate.core.registry.Service;
import dev.meshgate.core.registry.ServicePort;
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
import dev.meshgate.core.view.ServerTlsSpec;
import dev.meshgate.core.view.TcpRouteSpec;

/**
 * Implements {@code Gateway.spec.servers[]} served over TCP, after pilot's gateway TCP filter chains: servers with
 * protocol TCP, MONGO, MYSQL or REDIS (opaque TCP) and HTTPS or TLS servers with {@code tls.mode: PASSTHROUGH} or
 * {@code AUTO_PASSTHROUGH} (routed by the ClientHello's SNI without terminating TLS), and TLS servers terminating TLS
 * into TCP (Istio's TLS termination for TCP: the listener's {@code tls} as an HTTPS server's, the decrypted bytes
 * routed by the {@code tcp[]} rules as opaque TCP's). One {@code gateway-tcp/<port>} listener per port.
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
 *   <li>AUTO_PASSTHROUGH: a route per mesh service port (and subset) the server's hosts cover, for the SNI that
 *       names its cluster ({@link #autoPassthrough}), as east-west gateways route mTLS between networks.
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
            List<ServerTlsSpec> terminated = new ArrayList<>();
            Set<String> claimed = new HashSet<>();
            for (BoundServer bound : servers) {
                if (bound.kind() == Kind.TERMINATED_TLS) {
                    terminated.add(GatewayViewTranslator.tls(bound));
                }
                if (bound.kind() == Kind.AUTO_PASSTHROUGH) {
                    for (TcpRouteSpec route : autoPassthrough(index, proxy, bound, clusters)) {
                        if (route.sniHosts().stream().noneMatch(claimed::contains)) {
                            claimed.addAll(route.sniHosts());
                            sni.add(route);
                        }
                    }
                    continue;
                }
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
                out.add(new TcpListenerSpec("gateway-tcp/" + port, port, ListenerSpec.Direction.GATEWAY, routes,
                        terminated));
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

    /**
     * Implements {@code tls.mode: AUTO_PASSTHROUGH}, after pilot's {@code builtAutoPassthroughFilterChains}: for
     * every port of every mesh-internal service the proxy sees whose host one of the server's hosts covers, a route
     * taking the SNI {@code outbound_.<port>_._.<host>} to {@code outbound|<port>||<host>}, and one per subset of its
     * DestinationRule, {@code outbound_.<port>_.<subset>_.<host>}. VirtualServices are not consulted.
     */
    private static List<TcpRouteSpec> autoPassthrough(MeshIndex index, ProxyIdentity proxy, BoundServer bound,
            Set<ClusterKey> clusters) {
        List<TcpRouteSpec> out = new ArrayList<>();
        List<Service> services = new ArrayList<>(index.registry().services());
        services.sort(java.util.Comparator.comparing(Service::hostname));
        for (Service service : services) {
            if (service.location() == Location.MESH_EXTERNAL || !service.isVisibleTo(proxy.namespace())
                    || bound.server().hosts().stream().noneMatch(h -> HostResolver.covers(GatewayServers.hostPart(h),
                            service.hostname()))) {
                continue;
            }
            List<@Nullable String> subsets = new ArrayList<>();
            subsets.add(null);
            Resource<DestinationRule> rule = index.destinationRule(service.hostname(), proxy.namespace());
            if (rule != null) {
                rule.spec().subsets().stream().map(Subset::name).filter(n -> n != null && !n.isEmpty())
                        .forEach(subsets::add);
            }
            for (ServicePort port : service.ports()) {
                if (port.protocol().equals("UDP")) {
                    continue;
                }
                for (String subset : subsets) {
                    ClusterKey key = new ClusterKey(service.hostname(), port.number(), subset);
                    clusters.add(key);
                    String sni = "outbound_." + port.number() + "_." + (subset == null ? "" : subset) + "_."
                            + service.hostname();
                    out.add(new TcpRouteSpec("auto." + key.name(), List.of(sni), List.of(),
                            List.of(new TcpRouteSpec.WeightedCluster(key.name(), 100))));
                }
            }
        }
        return out;
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
