package dev.meshgate.core.translate.http;

import java.util.ArrayList;
import java.util.List;

import dev.meshgate.core.networking.Destination;
import dev.meshgate.core.networking.virtualservice.HttpRouteDestination;
import dev.meshgate.core.registry.Service;
import dev.meshgate.core.translate.HostResolver;
import dev.meshgate.core.translate.cluster.ClusterKey;
import dev.meshgate.core.view.RouteSpec.WeightedCluster;

/**
 * Implements {@code VirtualService.spec.http[].route[]}: {@code destination} ({@code host}, {@code subset},
 * {@code port}), {@code weight}, {@code headers}.
 *
 * <p>The host is resolved in the VirtualService's namespace. The port is the one given, else the service's
 * only port, else the virtual host's port. Weights are relative (Istio 1.15 and later: 1 and 3 are 25 % and
 * 75 %). A lone destination without weight takes 100; otherwise an absent weight is 0, as in Istio. All
 * sub-fields supported.
 */
public final class HttpRouteDestinationTranslator {

    private HttpRouteDestinationTranslator() {
    }

    /** The weighted clusters of {@code route}; each cluster is recorded in {@code context.clusters()}. */
    public static List<WeightedCluster> translate(List<HttpRouteDestination> route, String virtualServiceNamespace,
            RouteContext context) {
        List<WeightedCluster> out = new ArrayList<>();
        for (HttpRouteDestination destination : route) {
            Destination target = destination.destination();
            if (target == null || target.host() == null) {
                continue;
            }
            ClusterKey key = clusterOf(target, virtualServiceNamespace, context);
            context.clusters().add(key);
            int weight = destination.weight() != null ? destination.weight() : route.size() == 1 ? 100 : 0;
            out.add(new WeightedCluster(key.name(), weight, HeadersTranslator.request(destination.headers()),
                    HeadersTranslator.response(destination.headers())));
        }
        return out;
    }

    /** The cluster a {@code Destination} names, for a VirtualService of {@code namespace}. */
    public static ClusterKey clusterOf(Destination destination, String namespace, RouteContext context) {
        String host = HostResolver.resolve(destination.host(), namespace,
                context.index().settings().domainSuffix());
        int port = context.port();
        if (destination.port() != null && destination.port().number() != null) {
            port = destination.port().number();
        } else {
            Service service = context.index().registry().service(host);
            if (service != null && service.ports().size() == 1) {
                port = service.ports().get(0).number();
            }
        }
        String subset = destination.subset() == null || destination.subset().isEmpty() ? null : destination.subset();
        return new ClusterKey(host, port, subset);
    }
}
