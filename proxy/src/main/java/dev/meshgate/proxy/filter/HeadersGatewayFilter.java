package dev.meshgate.proxy.filter;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;

import reactor.core.publisher.Mono;

import dev.meshgate.core.view.HeaderOps;

/**
 * Implements {@code VirtualService.spec.http[].headers} of a route that answers itself (redirect, direct
 * response); a forwarding route applies them with its destination's ({@link DestinationGatewayFilter}), since
 * Envoy interleaves the two.
 */
public final class HeadersGatewayFilter implements GatewayFilter, Ordered {

    private final HeaderOperations request;
    private final HeaderOperations response;

    public HeadersGatewayFilter(HeaderOps request, HeaderOps response) {
        this.request = HeaderOperations.of(request);
        this.response = HeaderOperations.of(response);
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        ServerWebExchange mutated = request.applyToRequest(exchange);
        response.applyToResponse(mutated);
        return chain.filter(mutated);
    }

    @Override
    public int getOrder() {
        return MeshFilterOrder.ROUTE_HEADERS;
    }

    @Override
    public String toString() {
        return "Headers[request " + request + ", response " + response + "]";
    }
}
