package dev.meshgate.proxy.loadbalancer;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import org.jspecify.annotations.Nullable;
import org.springframework.web.server.ServerWebExchange;

/**
 * Istio's {@code RANDOM}: each try picks an endpoint at random with probability proportional to its weight
 * (Envoy's random load balancer over weighted hosts). Ineligible picks are drawn again, which keeps the
 * proportions exact among the eligible endpoints; after a few misses (most endpoints ineligible) it scans.
 */
final class WeightedRandomLoadBalancer implements LoadBalancer {

    private static final int DRAWS = 8;

    private final LbEndpoint[] endpoints;
    /** cumulative[i] = sum of the weights of endpoints 0..i. */
    private final long[] cumulative;

    private WeightedRandomLoadBalancer(LbEndpoint[] endpoints, long[] cumulative) {
        this.endpoints = endpoints;
        this.cumulative = cumulative;
    }

    static WeightedRandomLoadBalancer of(List<LbEndpoint> endpoints) {
        LbEndpoint[] array = endpoints.toArray(LbEndpoint[]::new);
        long[] cumulative = new long[array.length];
        long sum = 0;
        for (int i = 0; i < array.length; i++) {
            sum += array[i].weight();
            cumulative[i] = sum;
        }
        return new WeightedRandomLoadBalancer(array, cumulative);
    }

    @Override
    public @Nullable LbEndpoint choose(ServerWebExchange exchange, List<LbEndpoint> excluded, boolean includeEjected) {
        int n = endpoints.length;
        if (n == 0) {
            return null;
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long total = cumulative[n - 1];
        for (int draw = 0; draw < DRAWS; draw++) {
            int i = Arrays.binarySearch(cumulative, random.nextLong(total) + 1);
            LbEndpoint endpoint = endpoints[i < 0 ? -i - 1 : i];
            if (LoadBalancer.eligible(endpoint, excluded, includeEjected)) {
                return endpoint;
            }
        }
        int start = random.nextInt(n);
        for (int k = 0; k < n; k++) {
            LbEndpoint endpoint = endpoints[(start + k) % n];
            if (LoadBalancer.eligible(endpoint, excluded, includeEjected)) {
                return endpoint;
            }
        }
        return null;
    }
}
