package dev.meshgate.proxy.filter;

import java.nio.charset.StandardCharsets;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;

import reactor.core.publisher.Mono;

import dev.meshgate.core.view.RouteSpec.DirectResponse;

/** Implements {@code VirtualService.spec.http[].directResponse}: the configured status and body. */
public final class DirectResponseGatewayFilter implements GatewayFilter, Ordered {

    private final HttpStatusCode status;
    private final byte[] body;

    public DirectResponseGatewayFilter(DirectResponse spec) {
        this.status = HttpStatusCode.valueOf(spec.status());
        this.body = spec.body() == null ? new byte[0] : spec.body().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(status);
        if (body.length == 0) {
            return response.setComplete();
        }
        response.getHeaders().setContentType(MediaType.TEXT_PLAIN);
        response.getHeaders().setContentLength(body.length);
        return response.writeWith(Mono.just(response.bufferFactory().wrap(body)));
    }

    @Override
    public int getOrder() {
        return MeshFilterOrder.ANSWER;
    }

    @Override
    public String toString() {
        return "DirectResponse[" + status + "]";
    }
}
