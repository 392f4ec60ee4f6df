package dev.meshgate.core.translate.tcp;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import dev.meshgate.core.index.MeshIndex;
import dev.meshgate.core.networking.Destination;
import dev.meshgate.core.networking.virtualservice.L4MatchAttributes;
import dev.meshgate.core.networking.virtualservice.RouteDestination;
import dev.meshgate.core.networking.virtualservice.TcpRoute;
import dev.meshgate.core.networking.virtualservice.VirtualService;
import dev.meshgate.core.resource.Resource;
import dev.meshgate.core.translate.cluster.ClusterKey;
import dev.meshgate.core.translate.http.HttpRouteDestinationTranslator;
import dev.meshgate.core.translate.http.RouteContext;
import dev.meshgate.core.view.TcpRouteSpec;

/**
 * Implements {@code VirtualService.spec.tcp[]}: {@code match[]} ({@code port}, {@code sourceLabels},
 * {@code sourceNamespace}, {@code gateways} decided for the proxy being compiled, {@code destinationSubnets} kept for
 * the proxy to check per connection) and {@code route[]} (destination host, subset, port; relative weights).
 * Not supported: {@code match.sourceSubnet} (validation reports it).
 *
 * <p>A rule gives one route per match that applies to the proxy (Istio ORs the matches of a rule), or one route
 * without conditions when it has no match; a rule none of whose matches applies gives none.
 */
public final class TcpRouteTranslator {

    private TcpRouteTranslator() {
    }

    /** The routes of {@code spec.tcp[index]} of {@code vs} for the listener port of {@code context}. */
    public static List<TcpRouteSpec> translate(Resource<VirtualService> vs, int index, RouteContext context) {
        TcpRoute tcp = vs.spec().tcp().get(index);
        String namespace = vs.metadata().namespace();
        String name = namespace + "." + vs.metadata().name() + ".tcp." + index;
        List<TcpRouteSpec> out = new ArrayList<>();
        if (tcp.match().isEmpty()) {
            List<TcpRouteSpec.WeightedCluster> clusters = destinations(tcp.route(), namespace, context);
            if (!clusters.isEmpty()) {
                out.add(new TcpRouteSpec(name, List.of(), List.of(), clusters));
            }
            return out;
        }
        for (int m = 0; m < tcp.match().size(); m++) {
            L4MatchAttributes match = tcp.match().get(m);
            if (applies(match.port(), match.sourceLabels(), match.sourceNamespace(), match.gateways(), namespace,
                    context)) {
                List<TcpRouteSpec.WeightedCluster> clusters = destinations(tcp.route(), namespace, context);
                if (!clusters.isEmpty()) {
                    out.add(new TcpRouteSpec(tcp.match().size() == 1 ? name : name + "." + m, List.of(),
                            match.destinationSubnets(), clusters));
                }
            }
        }
        return out;
    }

    /**
     * Whether the proxy-side conditions of an L4 or TLS match hold for the proxy and listener port of
     * {@code context} (the same rules as HTTP matches).
     */
    static boolean applies(@Nullable Integer port, Map<String, String> sourceLabels, @Nullable String sourceNamespace,
            List<String> gateways, String namespace, RouteContext context) {
        if (port != null && port != context.port()) {
            return false;
        }
        if (!context.proxy().labels().entrySet().containsAll(sourceLabels.entrySet())) {
            return false;
        }
        if (sourceNamespace != null && !sourceNamespace.equals(context.proxy().namespace())) {
            return false;
        }
        if (!gateways.isEmpty()) {
            for (String gateway : gateways) {
                String key = gateway.equals(MeshIndex.MESH_GATEWAY) ? gateway
                        : MeshIndex.gatewayKey(gateway, namespace);
                if (context.gateways().contains(key)) {
                    return true;
                }
            }
            return false;
        }
        return true;
    }

    /**
     * Implements {@code route[]} of a TCP or TLS rule: the weighted clusters, each recorded in
     * {@code context.clusters()}. A lone destination without weight takes 100; otherwise an absent weight is 0.
     */
    static List<TcpRouteSpec.WeightedCluster> destinations(List<RouteDestination> route, String namespace,
            RouteContext context) {
        List<TcpRouteSpec.WeightedCluster> out = new ArrayList<>();
        for (RouteDestination destination : route) {
            Destination target = destination.destination();
            if (target == null || target.host() == null) {
                continue;
            }
            ClusterKey key = HttpRouteDestinationTranslator.clusterOf(target, namespace, context);
            context.clusters().add(key);
            int weight = destination.weight() != null ? destination.weight() : route.size() == 1 ? 100 : 0;
            out.add(new TcpRouteSpec.WeightedCluster(key.name(), weight));
        }
        return out;
    }
}
