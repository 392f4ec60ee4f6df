package dev.meshgate.proxy.cluster;

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.web.server.ServerWebExchange;

import dev.meshgate.core.view.ClusterSpec;
import dev.meshgate.core.view.EndpointSpec;
import dev.meshgate.proxy.loadbalancer.LbEndpoint;
import dev.meshgate.proxy.loadbalancer.LoadBalancer;
import dev.meshgate.proxy.loadbalancer.LoadBalancerPolicy;

/**
 * One cluster at runtime: its spec, its endpoints with their counters, and its load balancer. Created when a
 * cluster first appears or its spec changes, and reused unchanged across pushes otherwise (Decision 4), so
 * that load-balancer position and endpoint state survive a push.
 */
public final class ClusterRuntime {

    private final ClusterSpec spec;
    private final List<LbEndpoint> endpoints;
    private final LoadBalancer loadBalancer;
    private final ClusterConnectionPool pool;

    ClusterRuntime(ClusterSpec spec) {
        this.spec = spec;
        List<LbEndpoint> list = new ArrayList<>(spec.endpoints().size());
        for (EndpointSpec e : spec.endpoints()) {
            list.add(new LbEndpoint(e));
        }
        this.endpoints = List.copyOf(list);
        this.loadBalancer = LoadBalancerPolicy.ROUND_ROBIN.create(endpoints);
        this.pool = new ClusterConnectionPool(spec.name(), spec.trafficPolicy().connectionPool());
    }

    public String name() {
        return spec.name();
    }

    public ClusterSpec spec() {
        return spec;
    }

    public List<LbEndpoint> endpoints() {
        return endpoints;
    }

    /** The endpoint for this request, or null when the cluster has no endpoint (the proxy answers 503 UH). */
    public @Nullable LbEndpoint choose(ServerWebExchange exchange) {
        return choose(exchange, List.of());
    }

    /**
     * The endpoint for one try of this request, preferring one not in {@code tried} (a retry goes to another
     * endpoint when there is one, as Istio's retry host predicate does); null when no endpoint can take it
     * (the proxy answers 503 UH).
     */
    public @Nullable LbEndpoint choose(ServerWebExchange exchange, List<LbEndpoint> tried) {
        return loadBalancer.choose(exchange);
    }

    /**
     * Reports how one try sent to {@code endpoint} ended, for outlier detection: the upstream's status, or for
     * a failure of the proxy's own (connect failure, reset, timeout) the status the proxy answers for it (503,
     * 504). Called once per try, from the thread that saw the outcome; must not block.
     */
    public void report(LbEndpoint endpoint, int status) {
        // outlier detection (issue #4) reads these reports
    }

    /** The cluster's connection pool, HTTP client and circuit-breaker counters. */
    public ClusterConnectionPool pool() {
        return pool;
    }

    /** Called once this runtime no longer serves (its cluster left the view or changed): closes its connections. */
    void retire() {
        pool.dispose();
    }

    @Override
    public String toString() {
        return spec.name() + endpoints;
    }
}
