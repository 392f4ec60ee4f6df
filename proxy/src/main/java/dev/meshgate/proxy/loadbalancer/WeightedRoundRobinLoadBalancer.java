package dev.meshgate.proxy.loadbalancer;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;
import org.springframework.web.server.ServerWebExchange;

/**
 * Weighted round robin: a schedule of endpoint picks precomputed with smooth weighted round robin (so heavy
 * endpoints are interleaved, not bunched), walked by one atomic counter. Lock-free; no allocation per request.
 * The walk starts at a random position so that many proxies do not send their first requests to the same
 * endpoint, as Envoy does.
 */
public final class WeightedRoundRobinLoadBalancer implements LoadBalancer {

    /** Above this schedule length weights are scaled down (keeping their ratio within a rounding error). */
    private static final int MAX_SCHEDULE = 4096;

    private final LbEndpoint[] schedule;
    private final AtomicInteger next;

    private WeightedRoundRobinLoadBalancer(LbEndpoint[] schedule) {
        this.schedule = schedule;
        this.next = new AtomicInteger(schedule.length == 0 ? 0 : ThreadLocalRandom.current().nextInt(schedule.length));
    }

    public static WeightedRoundRobinLoadBalancer of(List<LbEndpoint> endpoints) {
        return new WeightedRoundRobinLoadBalancer(schedule(endpoints));
    }

    static LbEndpoint[] schedule(List<LbEndpoint> endpoints) {
        int n = endpoints.size();
        int[] weights = new int[n];
        int gcd = 0;
        long total = 0;
        for (int i = 0; i < n; i++) {
            weights[i] = endpoints.get(i).weight();
            gcd = gcd(gcd, weights[i]);
            total += weights[i];
        }
        if (n == 0) {
            return new LbEndpoint[0];
        }
        total = 0;
        for (int i = 0; i < n; i++) {
            weights[i] /= gcd;
            total += weights[i];
        }
        if (total > MAX_SCHEDULE) {
            double scale = (double) MAX_SCHEDULE / total;
            total = 0;
            for (int i = 0; i < n; i++) {
                weights[i] = Math.max(1, (int) Math.round(weights[i] * scale));
                total += weights[i];
            }
        }
        LbEndpoint[] schedule = new LbEndpoint[(int) total];
        long[] current = new long[n];
        for (int s = 0; s < schedule.length; s++) {
            int best = 0;
            for (int i = 0; i < n; i++) {
                current[i] += weights[i];
                if (current[i] > current[best]) {
                    best = i;
                }
            }
            current[best] -= total;
            schedule[s] = endpoints.get(best);
        }
        return schedule;
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    /**
     * The next eligible endpoint of the schedule. An ineligible pick advances the shared counter again (rather
     * than looking at the following slot), so the skipped endpoint's turns are spread over the others in schedule
     * order instead of all landing on its successor.
     */
    @Override
    public @Nullable LbEndpoint choose(ServerWebExchange exchange, List<LbEndpoint> excluded, boolean includeEjected) {
        for (int attempt = 0; attempt < schedule.length; attempt++) {
            int i = next.getAndIncrement() & Integer.MAX_VALUE;
            LbEndpoint endpoint = schedule[i % schedule.length];
            if (LoadBalancer.eligible(endpoint, excluded, includeEjected)) {
                return endpoint;
            }
        }
        return null;
    }
}
