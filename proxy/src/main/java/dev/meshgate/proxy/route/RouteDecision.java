package dev.meshgate.proxy.route;

import java.util.List;

import org.jspecify.annotations.Nullable;

import dev.meshgate.core.view.ClusterSpec;
import dev.meshgate.core.view.MatchSpec;
import dev.meshgate.core.view.RouteSpec;

/**
 * Where a proxy would send one request and why: the answer of {@link Simulator}.
 *
 * @param listener the listener the request arrived on ({@code outbound}, {@code gateway/80})
 * @param authority the Host the virtual host was chosen by
 * @param outcome what the proxy does with it
 * @param virtualHost the virtual host the authority selected, or null when none did
 * @param routeId the id of the route that served it: a mesh route's {@code <ns>.<vs>.<http-index>} (or
 *     {@code default.<cluster>}), or the name of the proxy's own answer ({@code meshgate.no_route},
 *     {@code PassthroughCluster} ...)
 * @param route the mesh route that matched (every policy it carries), or null for the proxy's own answers
 * @param matchIndex which {@code match[]} entry held; -1 when the route has no match conditions or none matched
 * @param match that entry, or null
 * @param notMatched the ids of the routes of the virtual host tried before, in order (first match wins)
 * @param destinations the weighted clusters of a routing route, in order; empty otherwise
 */
public record RouteDecision(String listener, @Nullable String authority, Outcome outcome,
        @Nullable String virtualHost, String routeId, @Nullable RouteSpec route, int matchIndex,
        @Nullable MatchSpec match, List<String> notMatched, List<Destination> destinations) {

    public RouteDecision {
        notMatched = List.copyOf(notMatched);
        destinations = List.copyOf(destinations);
    }

    /** What the proxy does with the request. */
    public enum Outcome {
        /** Forwarded to the weighted {@link #destinations}. */
        ROUTE,
        /** Answered with the route's redirect. */
        REDIRECT,
        /** Answered with the route's direct response. */
        DIRECT_RESPONSE,
        /** The virtual host has no route that matches: 404 (NR). */
        NO_ROUTE,
        /** No virtual host serves the authority on a gateway: 404 (NR). */
        NO_VIRTUAL_HOST,
        /** An unknown host under {@code ALLOW_ANY}: forwarded to the host the request names. */
        PASSTHROUGH,
        /** An unknown host under {@code REGISTRY_ONLY}: 502 (NR). */
        BLACK_HOLE,
        /** The proxy has no listener for this port: 404 (NR). */
        NO_LISTENER
    }

    /**
     * One weighted cluster of the route.
     *
     * @param name the cluster name, {@code outbound|<port>|<subset>|<fqdn>}
     * @param weight as the proxy uses it (equal shares when the route gives none)
     * @param percent its share of the requests
     * @param cluster the cluster: endpoints and traffic policy (load balancer, connection pool, outlier detection)
     */
    public record Destination(String name, int weight, double percent, ClusterSpec cluster) {
    }
}
