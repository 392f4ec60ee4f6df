package dev.meshgate.proxy.loadbalancer;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import org.jspecify.annotations.Nullable;
import org.springframework.web.server.ServerWebExchange;

/**
 * Istio's {@code LEAST_REQUEST} (and {@code LEAST_CONN}, its alias), as Envoy implements it. With equal weights:
 * the power of two choices, i.e. two endpoints drawn at random and the one with fewer requests in flight taken,
 * which avoids a slow (busy) endpoint without the herd effect of always taking the global minimum. With unequal
 * weights: each endpoint's effective weight is {@code weight / (active requests + 1)} (Envoy's default
 * {@code active_request_bias} of 1.0) and one endpoint is drawn in proportion to it; Envoy feeds the same
 * effective weights into its EDF scheduler, a random draw gives the same long-run shares without a shared
 * scheduler to update.
 */
final class LeastRequestLoadBalancer implements LoadBalancer {

    private static final int DRAWS = 4;

    private final LbEndpoint[] endpoints;
    private final boolean equalWeights;

    private LeastRequestLoadBalancer(LbEndpoint[] endpoints, boolean equalWeights) {
        this.endpoints = endpoints;
        this.equalWeights = equalWeights;
    }

    static LeastRequestLoadBalancer of(List<LbEndpoint> endpoints) {
        LbEndpoint[] array = endpoints.toArray(LbEndpoint[]::new);
        boolean equal = true;
        for (LbEndpoint endpoint : array) {
            equal &= endpoint.weight() == array[0].weight();
        }
        return new LeastRequestLoadBalancer(array, equal);
    }

    @Override
    public @Nullable LbEndpoint choose(ServerWebExchange exchange, List<LbEndpoint> excluded, boolean includeEjected) {
        int n = endpoints.length;
        if (n == 0) {
            return null;
        }
        if (n == 1) {
            return LoadBalancer.eligible(endpoints[0], excluded, includeEjected) ? endpoints[0] : null;
        }
        return equalWeights ? twoChoices(excluded, includeEjected) : weighted(excluded, includeEjected);
    }

    private @Nullable LbEndpoint twoChoices(List<LbEndpoint> excluded, boolean includeEjected) {
        int n = endpoints.length;
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int draw = 0; draw < DRAWS; draw++) {
            int i = random.nextInt(n);
            int j = random.nextInt(n - 1);
            if (j >= i) {
                j++;
            }
            LbEndpoint a = endpoints[i];
            LbEndpoint b = endpoints[j];
            boolean aOk = LoadBalancer.eligible(a, excluded, includeEjected);
            boolean bOk = LoadBalancer.eligible(b, excluded, includeEjected);
            if (aOk && bOk) {
                return b.activeRequests() < a.activeRequests() ? b : a;
            }
            if (aOk || bOk) {
                return aOk ? a : b;
            }
        }
        // Most endpoints are ineligible: take the least loaded of the rest.
        LbEndpoint best = null;
        int start = random.nextInt(n);
        for (int k = 0; k < n; k++) {
            LbEndpoint e = endpoints[(start + k) % n];
            if (LoadBalancer.eligible(e, excluded, includeEjected)
                    && (best == null || e.activeRequests() < best.activeRequests())) {
                best = e;
            }
        }
        return best;
    }

    private @Nullable LbEndpoint weighted(List<LbEndpoint> excluded, boolean includeEjected) {
        double total = 0;
        for (LbEndpoint e : endpoints) {
            if (LoadBalancer.eligible(e, excluded, includeEjected)) {
                total += effectiveWeight(e);
            }
        }
        if (total == 0) {
            return null;
        }
        double target = ThreadLocalRandom.current().nextDouble(total);
        LbEndpoint last = null;
        for (LbEndpoint e : endpoints) {
            if (LoadBalancer.eligible(e, excluded, includeEjected)) {
                last = e;
                target -= effectiveWeight(e);
                if (target < 0) {
                    return e;
                }
            }
        }
        return last; // rounding, or an endpoint's load changed between the two passes
    }

    private static double effectiveWeight(LbEndpoint endpoint) {
        return (double) endpoint.weight() / (Math.max(0, endpoint.activeRequests()) + 1);
    }
}
