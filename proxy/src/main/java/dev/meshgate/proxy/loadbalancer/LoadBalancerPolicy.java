package dev.meshgate.proxy.loadbalancer;

import java.util.List;

/**
 * Istio's {@code DestinationRule.trafficPolicy.loadBalancer.simple}, and the factory of each policy's load
 * balancer. Only {@code ROUND_ROBIN} exists so far; RANDOM, LEAST_REQUEST and consistent hash follow in
 * issue #4.
 */
public enum LoadBalancerPolicy {

    /** Weighted round robin over the endpoints, by {@code EndpointSpec.weight}. */
    ROUND_ROBIN {
        @Override
        public LoadBalancer create(List<LbEndpoint> endpoints) {
            return WeightedRoundRobinLoadBalancer.of(endpoints);
        }
    };

    /** A load balancer of this policy over these endpoints (in the cluster's stable order). */
    public abstract LoadBalancer create(List<LbEndpoint> endpoints);
}
