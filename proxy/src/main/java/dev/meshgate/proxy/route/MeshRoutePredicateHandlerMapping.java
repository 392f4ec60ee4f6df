package dev.meshgate.proxy.route;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_HANDLER_MAPPER_ATTR;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR;

import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.cloud.gateway.config.GlobalCorsProperties;
import org.springframework.cloud.gateway.handler.FilteringWebHandler;
import org.springframework.cloud.gateway.handler.RoutePredicateHandlerMapping;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.web.server.ServerWebExchange;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import dev.meshgate.proxy.stream.StreamInfo;

/**
 * Spring Cloud Gateway's handler mapping with the route lookup replaced: instead of testing every route's
 * predicate in turn, it finds the listener by local port, the virtual host by a map lookup on the Host header,
 * and tests only that virtual host's routes, in order. Requests on ports that are no mesh listener are left to
 * other handler mappings (e.g. actuator). It is asked first, before WebFlux's own mappings.
 */
public class MeshRoutePredicateHandlerMapping extends RoutePredicateHandlerMapping {

    private final FilteringWebHandler webHandler;
    private final MeshRouteTable table;
    private final ListenerBinding binding;

    public MeshRoutePredicateHandlerMapping(FilteringWebHandler webHandler, MeshRouteTable table,
            ListenerBinding binding, GlobalCorsProperties globalCorsProperties, Environment environment) {
        super(webHandler, () -> Flux.defer(() -> Flux.fromIterable(table.routes())), globalCorsProperties,
                environment);
        this.webHandler = webHandler;
        this.table = table;
        this.binding = binding;
        // First of all handler mappings: Spring Cloud Gateway's default (1) comes after WebFlux's annotated and
        // functional mappings, which would search their (empty) mappings on every proxied request.
        setOrder(Ordered.HIGHEST_PRECEDENCE);
    }

    /**
     * The route's handler, found without Reactor operators: a mesh listener's route is looked up at once (a map
     * lookup, {@link MeshRouteTable#lookup}), where Spring Cloud Gateway's mapping assembles a deferred lookup, a
     * map, a fallback and a runnable per request. The exchange gets the attributes Spring Cloud Gateway's sets that
     * a mesh route's filters use (the route, the mapping's name); the Reactor context it also stores is read only
     * by Spring Cloud Gateway's observed header filter, which a proxy does not have.
     *
     * <p>Without Spring's CORS processing: Spring answers every preflight request itself with an empty 200 (before
     * any gateway filter runs), while a mesh route answers or forwards preflights by its own {@code corsPolicy} (the
     * CORS route filter), and forwards them when it has none, as Envoy does.
     */
    @Override
    public Mono<Object> getHandler(ServerWebExchange exchange) {
        FilteringWebHandler handler = meshHandler(exchange);
        return handler == null ? Mono.empty() : Mono.just(handler);
    }

    /**
     * {@link #getHandler} without a {@code Mono}: the mesh route's handler with the route set on the exchange, or
     * null when the request did not come in on a mesh listener ({@link MeshDispatchWebFilter} calls it directly).
     */
    @Nullable FilteringWebHandler meshHandler(ServerWebExchange exchange) {
        Map<String, Object> attributes = exchange.getAttributes();
        attributes.put(GATEWAY_HANDLER_MAPPER_ATTR, getSimpleName());
        String listener = binding.listenerFor(exchange.getRequest());
        if (listener == null) {
            return null;
        }
        Route route = table.lookup(listener, exchange);
        StreamInfo.of(exchange).route(route);
        attributes.put(GATEWAY_ROUTE_ATTR, route);
        return webHandler;
    }

    @Override
    protected String getSimpleName() {
        return "MeshRoutePredicateHandlerMapping";
    }
}
