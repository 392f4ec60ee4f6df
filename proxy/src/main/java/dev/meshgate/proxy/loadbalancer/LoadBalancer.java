package dev.meshgate.proxy.loadbalancer;

import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.web.server.ServerWebExchange;

import dev.meshgate.core.view.LoadBalancerSpec;

/**
 * Picks the endpoint of a cluster that serves one try of a request. Implementations are created once per cluster
 * runtime over its endpoints, are thread-safe, never block, and avoid allocating per request. The exchange is
 * given so that policies that hash on the request (a header, cookie, query parameter or the source address) can
 * read it.
 *
 * <p>Ejected endpoints and endpoints already tried are skipped by the policy itself rather than by rebuilding the
 * balancer over the remaining ones: schedules and hash tables are built once, and a hash policy then moves only the
 * keys of the skipped endpoint (the ring is walked on, the Maglev table probed again), which is the least
 * disruption a consistent hash can offer.
 */
public interface LoadBalancer {

    /**
     * The endpoint for one try, or null if no endpoint is eligible: an endpoint is eligible when it is not in
     * {@code excluded} (compared by identity; a short list, typically the endpoints a retry already tried) and,
     * unless {@code includeEjected}, not ejected by outlier detection.
     */
    @Nullable LbEndpoint choose(ServerWebExchange exchange, List<LbEndpoint> excluded, boolean includeEjected);

    /**
     * The endpoint for one try of a request whose retries avoid the priority levels already tried
     * ({@code retryRemoteLocalities}); only a balancer over priority levels reads {@code priorities}.
     */
    default @Nullable LbEndpoint choose(ServerWebExchange exchange, List<LbEndpoint> excluded, boolean includeEjected,
            @Nullable PreviousPriorities priorities) {
        return choose(exchange, excluded, includeEjected);
    }

    /**
     * The priority levels this balancer works over, with their health, load and panic; empty for a balancer
     * without levels (the endpoints have no priorities or locality weights).
     */
    default List<PriorityLevelStatus> priorityLevels() {
        return List.of();
    }

    /** The endpoint for a first try, skipping ejected endpoints. */
    default @Nullable LbEndpoint choose(ServerWebExchange exchange) {
        return choose(exchange, List.of(), false);
    }

    /**
     * The load balancer {@code spec} asks for over {@code endpoints} (in the cluster's stable order), within the
     * endpoints' priority levels and locality weights when they have any ({@link PriorityLoadBalancer}).
     *
     * @param clusterPort the port a PASSTHROUGH cluster uses when the request's authority names none
     */
    static LoadBalancer of(LoadBalancerSpec spec, List<LbEndpoint> endpoints, int clusterPort) {
        return of(spec, endpoints, clusterPort, 0);
    }

    /**
     * As {@link #of(LoadBalancerSpec, List, int)}, with the cluster's panic threshold ({@code minHealthPercent}):
     * over priority levels it applies to each level on its own, as Envoy's does.
     */
    static LoadBalancer of(LoadBalancerSpec spec, List<LbEndpoint> endpoints, int clusterPort, int panicThreshold) {
        if (spec.simple() != LoadBalancerSpec.Simple.PASSTHROUGH || spec.consistentHash() != null) {
            for (LbEndpoint endpoint : endpoints) {
                if (endpoint.spec().priority() > 0 || endpoint.spec().localityWeight() > 0) {
                    // localityLbSetting gave this proxy priorities or locality weights: the policy works within them
                    return PriorityLoadBalancer.of(endpoints, group -> policy(spec, group, clusterPort),
                            panicThreshold);
                }
            }
        }
        return policy(spec, endpoints, clusterPort);
    }

    private static LoadBalancer policy(LoadBalancerSpec spec, List<LbEndpoint> endpoints, int clusterPort) {
        if (spec.consistentHash() != null) {
            return ConsistentHashLoadBalancer.of(spec.consistentHash(), endpoints);
        }
        return switch (spec.simple()) {
            case ROUND_ROBIN -> WeightedRoundRobinLoadBalancer.of(endpoints);
            case RANDOM -> WeightedRandomLoadBalancer.of(endpoints);
            case LEAST_REQUEST -> LeastRequestLoadBalancer.of(endpoints);
            case PASSTHROUGH -> new PassthroughLoadBalancer(endpoints, clusterPort);
        };
    }

    /** Whether {@code endpoint} may take this try (see {@link #choose(ServerWebExchange, List, boolean)}). */
    static boolean eligible(LbEndpoint endpoint, List<LbEndpoint> excluded, boolean includeEjected) {
        if (!includeEjected && endpoint.ejected()) {
            return false;
        }
        for (int i = 0, n = excluded.size(); i < n; i++) {
            if (excluded.get(i) == endpoint) {
                return false;
            }
        }
        return true;
    }
}
