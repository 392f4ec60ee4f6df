package dev.meshgate.proxy.route;

import org.springframework.cloud.gateway.handler.FilteringWebHandler;
import org.springframework.core.Ordered;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.cors.reactive.CorsUtils;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;

import reactor.core.publisher.Mono;

import dev.meshgate.proxy.server.MeshWebFilter;
import dev.meshgate.proxy.server.MeshWebFilterChain;

/**
 * Runs a request that came in on a mesh listener in its mesh route's handler, as the last of the mesh's WebFilters,
 * instead of passing it on to Spring's {@code DispatcherHandler}. For every request the dispatcher assembles a
 * {@code Flux} over the handler mappings with {@code concatMap}, {@code next}, {@code switchIfEmpty} and a deferred
 * not-found error, then a handler adapter and its result operators, to reach the one handler a mesh listener always
 * has (CPU per request: docs/performance.md). Only when nothing but the dispatcher follows
 * ({@link MeshWebFilterChain#onlyDispatcherFollows}): a WebFilter of an application's ordered after the mesh's still
 * sees every request, which then reaches the dispatcher as before. Requests on other ports (actuator, a gateway's redirect port) go on to the dispatcher.
 *
 * <p>CORS preflights wherever it stands: the dispatcher never invokes a handler for a preflight (it asks the mappings whether one
 * exists and answers itself), while a mesh route must answer a preflight by its {@code corsPolicy} or forward it to
 * the upstream, as Envoy does.
 *
 * <p>An error the handler ends with goes up to the WebExceptionHandlers as it did through the dispatcher, whose
 * annotated-controller adapter first clears the response's content headers (so that an error page is not sent
 * with, say, the upstream's {@code Content-Encoding}); done here likewise.
 */
final class MeshDispatchWebFilter extends MeshWebFilter {

    private final MeshRoutePredicateHandlerMapping mapping;

    MeshDispatchWebFilter(MeshRoutePredicateHandlerMapping mapping) {
        this.mapping = mapping;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        boolean preflight = CorsUtils.isPreFlightRequest(exchange.getRequest());
        if (!preflight && !MeshWebFilterChain.onlyDispatcherFollows(chain)) {
            return chain.filter(exchange);
        }
        FilteringWebHandler handler = mapping.meshHandler(exchange);
        if (handler == null) {
            return chain.filter(exchange);
        }
        Mono<Void> handled = handler.handle(exchange);
        return preflight ? handled : handled.onErrorResume(error -> failed(exchange, error));
    }

    private static Mono<Void> failed(ServerWebExchange exchange, Throwable error) {
        ServerHttpResponse response = exchange.getResponse();
        if (!response.isCommitted()) {
            response.getHeaders().clearContentHeaders();
        }
        return Mono.error(error);
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 100;
    }
}
