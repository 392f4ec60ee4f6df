package dev.meshgate.proxy.route;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.web.server.ServerWebExchange;

import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;

/**
 * A mesh route's gateway filters run the way Spring Cloud Gateway's chain runs them, with one object per filter and
 * request: the rest of the chain from one filter on, which is both the {@link Mono} that runs that filter when
 * subscribed and the chain handed to the filter before it. Spring Cloud Gateway's chain makes three per filter (a
 * chain object, a {@code Mono.defer} and its supplier lambda).
 *
 * <p>As in Spring Cloud Gateway's chain, a filter runs when the Mono its predecessor got from
 * {@code chain.filter(exchange)} is subscribed, not when it is asked for: a filter may assemble its work around the
 * rest of the chain (a delay, a timer) and the next filter runs inside it. An exception a filter throws instead of
 * returning a Mono becomes the error of the chain.
 */
final class MeshGatewayFilterChain extends Mono<Void> implements GatewayFilterChain {

    private final GatewayFilter[] filters;
    private final int index;
    private final ServerWebExchange exchange;

    private MeshGatewayFilterChain(GatewayFilter[] filters, int index, ServerWebExchange exchange) {
        this.filters = filters;
        this.index = index;
        this.exchange = exchange;
    }

    /** The whole chain for {@code exchange}: runs {@code filters} in order when subscribed. */
    static Mono<Void> of(GatewayFilter[] filters, ServerWebExchange exchange) {
        return new MeshGatewayFilterChain(filters, 0, exchange);
    }

    /** The rest of the chain after this filter, for the exchange this filter passes on. */
    @Override
    public Mono<Void> filter(ServerWebExchange next) {
        return new MeshGatewayFilterChain(filters, index + 1, next);
    }

    @Override
    public void subscribe(CoreSubscriber<? super Void> actual) {
        if (index >= filters.length) {
            Operators.complete(actual);
            return;
        }
        Mono<Void> result;
        try {
            result = filters[index].filter(exchange, this);
        } catch (Throwable e) {
            Operators.error(actual, Operators.onOperatorError(e, actual.currentContext()));
            return;
        }
        if (result == null) {
            Operators.error(actual, new NullPointerException(filters[index] + " returned a null Mono"));
            return;
        }
        result.subscribe(actual);
    }
}
