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

    ClusterRuntime(ClusterSpec spec) {
        this.spec = spec;
        List<LbEndpoint> list = new ArrayList<>(spec.endpoints().size());
        for (EndpointSpec e : spec.endpoints()) {
            list.add(new LbEndpoint(e));
        }
        this.endpoints = List.copyOf(list);
        this.loadBalancer = LoadBalancerPolicy.ROUND_ROBIN.create(endpoints);
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
        return loadBalancer.choose(exchange);
    }

    @Override
    public String toString() {
        return spec.name() + endpoints;
    }
}
