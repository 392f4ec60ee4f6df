package dev.meshgate.proxy.route;

import java.util.Optional;

import org.springframework.core.Ordered;
import org.springframework.web.cors.reactive.CorsUtils;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;
import org.springframework.web.server.WebHandler;

import reactor.core.publisher.Mono;

import dev.meshgate.proxy.server.MeshWebFilter;

/**
 * Hands CORS preflight requests on mesh listeners to their mesh route. Spring's {@code DispatcherHandler} never
 * invokes a handler for a preflight (it only asks the handler mappings whether one exists and answers itself),
 * while a mesh route must answer a preflight by its {@code corsPolicy} or forward it to the upstream, as Envoy
 * does. Other requests, and preflights on other ports (actuator), pass on unchanged.
 */
final class MeshPreflightWebFilter extends MeshWebFilter {

    private final MeshRoutePredicateHandlerMapping mapping;

    MeshPreflightWebFilter(MeshRoutePredicateHandlerMapping mapping) {
        this.mapping = mapping;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (!CorsUtils.isPreFlightRequest(exchange.getRequest())) {
            return chain.filter(exchange);
        }
        return mapping.getHandler(exchange)
                .map(Optional::of)
                .defaultIfEmpty(Optional.empty())
                .flatMap(handler -> handler.isPresent() ? ((WebHandler) handler.get()).handle(exchange)
                        : chain.filter(exchange));
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 100;
    }
}
