package dev.meshgate.proxy.filter;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;

import reactor.core.publisher.Mono;

/** Adds {@code x-request-id} (a random UUID) to a request that has none, as Envoy does. */
public final class RequestIdGlobalFilter implements GlobalFilter, Ordered {

    public static final String REQUEST_ID = "x-request-id";

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        if (exchange.getRequest().getHeaders().containsHeader(REQUEST_ID)) {
            return chain.filter(exchange);
        }
        String id = randomUuid();
        return chain.filter(exchange.mutate().request(r -> r.headers(h -> h.set(REQUEST_ID, id))).build());
    }

    /** A version-4 UUID from ThreadLocalRandom: SecureRandom may block and is not needed for an id. */
    static String randomUuid() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long msb = (r.nextLong() & ~0xF000L) | 0x4000L;
        long lsb = (r.nextLong() & ~0xC000000000000000L) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }

    @Override
    public int getOrder() {
        return MeshFilterOrder.REQUEST_ID;
    }
}
