package dev.meshgate.proxy.filter;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;

import reactor.core.publisher.Mono;

import dev.meshgate.proxy.cluster.ClusterRuntime;

/**
 * Implements {@code VirtualService.spec.http[].route}: picks one weighted destination per request (random by
 * weight, as Envoy's weighted clusters do), applies that destination's own header operations and hands its
 * cluster to the cluster filter.
 */
public final class DestinationGatewayFilter implements GatewayFilter, Ordered {

    private final Destination[] destinations;
    private final int[] cumulative;
    private final int total;

    /** One weighted destination, its cluster runtime resolved at compile time. */
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
        exchange.getAttributes().put(MeshExchangeAttributes.CLUSTER, d.cluster());
        d.responseHeaders().applyToResponse(exchange);
        return chain.filter(d.requestHeaders().applyToRequest(exchange));
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
