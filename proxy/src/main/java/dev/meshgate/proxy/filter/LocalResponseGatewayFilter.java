package dev.meshgate.proxy.filter;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;

import reactor.core.publisher.Mono;

/** Answers every request with one {@link LocalResponse} (no route, no virtual host) and ends the chain. */
public final class LocalResponseGatewayFilter implements GatewayFilter, Ordered {

    private final LocalResponse response;

    public LocalResponseGatewayFilter(LocalResponse response) {
        this.response = response;
    }

    public LocalResponse response() {
        return response;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        return response.write(exchange);
    }

    @Override
    public int getOrder() {
        return MeshFilterOrder.ANSWER;
    }

    @Override
    public String toString() {
        return "LocalResponse[" + response + "]";
    }
}
