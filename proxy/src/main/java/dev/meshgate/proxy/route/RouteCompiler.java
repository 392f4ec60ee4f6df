package dev.meshgate.proxy.route;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.route.Route;

import dev.meshgate.core.view.RouteSpec;
import dev.meshgate.core.view.RouteSpec.WeightedCluster;
import dev.meshgate.proxy.cluster.ClusterRuntime;
import dev.meshgate.proxy.cluster.ClusterSet;
import dev.meshgate.proxy.cors.CorsGatewayFilter;
import dev.meshgate.proxy.fault.FaultGatewayFilter;
import dev.meshgate.proxy.filter.DestinationGatewayFilter;
import dev.meshgate.proxy.filter.DirectResponseGatewayFilter;
import dev.meshgate.proxy.filter.HeaderOperations;
import dev.meshgate.proxy.filter.HeadersGatewayFilter;
import dev.meshgate.proxy.filter.LocalResponse;
import dev.meshgate.proxy.filter.LocalResponseGatewayFilter;
import dev.meshgate.proxy.filter.PassthroughGatewayFilter;
import dev.meshgate.proxy.filter.RedirectGatewayFilter;
import dev.meshgate.proxy.filter.RewriteGatewayFilter;
import dev.meshgate.proxy.mirror.MirrorClient;
import dev.meshgate.proxy.mirror.MirrorGatewayFilter;
import dev.meshgate.proxy.predicate.RouteMatcher;
import dev.meshgate.proxy.tracing.SpanNames;
import dev.meshgate.proxy.upstream.UpstreamPolicy;

/**
 * Compiles one {@code RouteSpec} into a Spring Cloud Gateway {@link Route}: the predicate from its matches and
 * the filters of its CORS policy, fault, header operations, rewrite, mirrors and action (weighted destinations, redirect or direct
 * response). Cluster names are resolved to runtimes here, so a route never meets an unknown cluster at request
 * time. The route's values were checked before, by {@code ProxyViewCheck}: this class does not repeat its rules.
 */
final class RouteCompiler {

    /** Route metadata: the virtual host a route belongs to. */
    static final String VIRTUAL_HOST = "meshgate.virtualHost";
    /** Route metadata: destination cluster names in order (empty for redirects and direct responses). */
    static final String CLUSTERS = "meshgate.clusters";
    /** Route metadata: destination weights, parallel to {@link #CLUSTERS}. */
    static final String WEIGHTS = "meshgate.weights";

    private static final String CLUSTER_URI = "mesh://cluster";
    private static final String LOCAL_URI = "mesh://local";

    private RouteCompiler() {
    }

    /**
     * @param listenerPort a gateway server's port (matches on {@code port} compare with it), else 0
     * @param grpcWebListener the listener carries the {@code grpc_web} filter ({@code ListenerSpec.grpcWeb})
     * @param mirrors what sends the route's mirror copies
     * @throws RuntimeException only for a route {@code ProxyViewCheck} should have refused (a bug)
     */
    static MeshRoute compile(RouteSpec spec, String virtualHost, int order, int listenerPort, ClusterSet clusters,
            boolean grpcWebListener, MirrorClient mirrors) {
        RouteMatcher matcher = RouteMatcher.of(spec.matches(), listenerPort);
        List<GatewayFilter> filters = new ArrayList<>(4);
        List<String> clusterNames = new ArrayList<>();
        List<Integer> weights = new ArrayList<>();
        if (spec.cors() != null) {
            filters.add(CorsGatewayFilter.of(spec.cors()));
        }
        if (spec.fault() != null) {
            filters.add(FaultGatewayFilter.of(spec.fault(), grpcWebListener || grpcWebRoute(spec, clusters)));
        }
        if (spec.route() == null && (!spec.requestHeaders().isEmpty() || !spec.responseHeaders().isEmpty())) {
            filters.add(new HeadersGatewayFilter(spec.requestHeaders(), spec.responseHeaders()));
        }
        if (spec.rewrite() != null && (spec.rewrite().uri() != null || spec.rewrite().authority() != null)) {
            filters.add(new RewriteGatewayFilter(spec.rewrite()));
        }
        String uri = LOCAL_URI;
        if (spec.route() != null) {
            if (!spec.mirrors().isEmpty()) {
                filters.add(MirrorGatewayFilter.of(spec.mirrors(), clusters::get, mirrors));
            }
            filters.add(destinations(spec, clusters, clusterNames, weights));
            uri = CLUSTER_URI;
        } else if (spec.redirect() != null) {
            filters.add(new RedirectGatewayFilter(spec.redirect()));
        } else {
            filters.add(new DirectResponseGatewayFilter(spec.directResponse()));
        }
        Route route = Route.async()
                .id(spec.id())
                .uri(uri)
                .order(order)
                .predicate(matcher::test)
                .filters(filters)
                .metadata(Map.of(VIRTUAL_HOST, virtualHost, CLUSTERS, List.copyOf(clusterNames), WEIGHTS,
                        List.copyOf(weights), UpstreamPolicy.METADATA_KEY, UpstreamPolicy.of(spec),
                        SpanNames.METADATA_KEY, SpanNames.of(spec, virtualHost)))
                .build();
        return new MeshRoute(route, matcher);
    }

    /** Whether a destination of the route is a {@code GRPC-WEB} port's cluster (its listener has the filter). */
    private static boolean grpcWebRoute(RouteSpec spec, ClusterSet clusters) {
        if (spec.route() == null) {
            return false;
        }
        for (WeightedCluster destination : spec.route().clusters()) {
            ClusterRuntime cluster = clusters.get(destination.cluster());
            if (cluster != null && cluster.spec().grpcWeb()) {
                return true;
            }
        }
        return false;
    }

    private static DestinationGatewayFilter destinations(RouteSpec spec, ClusterSet clusters, List<String> names,
            List<Integer> weights) {
        List<WeightedCluster> specs = spec.route().clusters();
        int total = 0;
        for (WeightedCluster wc : specs) {
            total += wc.weight();
        }
        List<DestinationGatewayFilter.Destination> destinations = new ArrayList<>(specs.size());
        for (int i = 0; i < specs.size(); i++) {
            WeightedCluster wc = specs.get(i);
            ClusterRuntime runtime = wc.cluster() == null ? null : clusters.get(wc.cluster());
            if (runtime == null) {
                throw new IllegalStateException("route " + spec.id() + " route[" + i + "].cluster: unknown cluster '"
                        + wc.cluster() + "'");
            }
            // Istio: a lone destination's weight may be omitted; all omitted means equal shares.
            int weight = total == 0 ? 1 : wc.weight();
            HeaderOperations request;
            HeaderOperations response;
            if (specs.size() == 1) {
                // Istio appends a lone destination's operations to the route's own (one Envoy parser).
                request = HeaderOperations.merged(spec.requestHeaders(), wc.requestHeaders());
                response = HeaderOperations.merged(spec.responseHeaders(), wc.responseHeaders());
            } else {
                // A weighted cluster's parser runs before the route's, so the route's set wins.
                request = HeaderOperations.of(wc.requestHeaders()).then(HeaderOperations.of(spec.requestHeaders()));
                response = HeaderOperations.of(wc.responseHeaders()).then(HeaderOperations.of(spec.responseHeaders()));
            }
            destinations.add(new DestinationGatewayFilter.Destination(runtime, weight, request, response));
            names.add(wc.cluster());
            weights.add(weight);
        }
        return new DestinationGatewayFilter(destinations);
    }

    /** A route that answers every request with a local response; {@code id} names the outcome. */
    static Route local(String id, LocalResponse response) {
        return Route.async()
                .id(id)
                .uri(LOCAL_URI)
                .predicate(exchange -> true)
                .filters(new LocalResponseGatewayFilter(response))
                .build();
    }

    /** Istio's PassthroughCluster: the route of an unknown host under ALLOW_ANY. */
    static Route passthrough() {
        return Route.async()
                .id("PassthroughCluster")
                .uri(CLUSTER_URI)
                .predicate(exchange -> true)
                .filters(new PassthroughGatewayFilter())
                .build();
    }
}
