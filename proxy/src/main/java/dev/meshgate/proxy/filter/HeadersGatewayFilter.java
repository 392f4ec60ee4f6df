package dev.meshgate.proxy.filter;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;

import reactor.core.publisher.Mono;

import dev.meshgate.core.view.HeaderOps;

/** Implements {@code VirtualService.spec.http[].headers}: the route's request and response header operations. */
public final class HeadersGatewayFilter implements GatewayFilter, Ordered {

    private final HeaderOperations request;
    private final HeaderOperations response;

    public HeadersGatewayFilter(HeaderOps request, HeaderOps response) {
        this.request = HeaderOperations.of(request);
        this.response = HeaderOperations.of(response);
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        response.applyToResponse(exchange);
        return chain.filter(request.applyToRequest(exchange));
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
