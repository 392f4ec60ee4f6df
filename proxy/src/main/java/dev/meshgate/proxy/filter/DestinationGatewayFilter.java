package dev.meshgate.proxy.filter;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;

import reactor.core.publisher.Mono;

import dev.meshgate.proxy.stream.StreamInfo;

import dev.meshgate.proxy.cluster.ClusterRuntime;

/**
 * Implements {@code VirtualService.spec.http[].route}: picks one weighted destination per request (random in
 * proportion to the weights, which are relative as in Istio 1.15 and later and Envoy's weighted clusters: 1 and 3
 * are 25 % and 75 %), applies the header operations of the route and of that destination in Envoy's order
 * ({@link HeaderOperations}), and hands its cluster to the cluster filter.
 */
public final class DestinationGatewayFilter implements GatewayFilter, Ordered {

    private final Destination[] destinations;
    private final int[] cumulative;
    private final int total;

    /**
     * One weighted destination, its cluster runtime resolved at compile time.
     *
     * @param requestHeaders the route's and this destination's request header operations, in Envoy's order
     * @param responseHeaders the same for the response
     */
    public record Destination(ClusterRuntime cluster, int weight, HeaderOperations requestHeaders,
            HeaderOperations responseHeaders) {
    }

    /** @param destinations non-empty; weights are non-negative and not all zero */
    public DestinationGatewayFilter(List<Destination> destinations) {
        this.destinations = destinations.toArray(Destination[]::new);
        this.cumulative = new int[this.destinations.length];
        int sum = 0;
        for (int i = 0; i < this.destinations.length; i++) {
            sum += this.destinations[i].weight();
            cumulative[i] = sum;
        }
        this.total = sum;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        Destination d = pick();
        StreamInfo.of(exchange).cluster(d.cluster());
        ServerWebExchange mutated = d.requestHeaders().applyToRequest(exchange);
        d.responseHeaders().applyToResponse(mutated);
        return chain.filter(mutated);
    }

    Destination pick() {
        if (destinations.length == 1) {
            return destinations[0];
        }
        int r = ThreadLocalRandom.current().nextInt(total);
        for (int i = 0; i < cumulative.length; i++) {
            if (r < cumulative[i]) {
                return destinations[i];
            }
        }
        return destinations[destinations.length - 1];
    }

    @Override
    public int getOrder() {
        return MeshFilterOrder.DESTINATION;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Destination[");
        for (Destination d : destinations) {
            sb.append(d.cluster().name()).append('=').append(d.weight()).append(' ');
        }
        return sb.append(']').toString();
    }
}
