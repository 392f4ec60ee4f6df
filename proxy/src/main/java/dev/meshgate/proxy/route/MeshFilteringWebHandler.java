package dev.meshgate.proxy.route;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR;

import java.util.List;
import java.util.Set;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.OrderedGatewayFilter;
import org.springframework.cloud.gateway.handler.FilteringWebHandler;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.core.DecoratingProxy;
import org.springframework.web.server.ServerWebExchange;

import reactor.core.publisher.Mono;

import dev.meshgate.proxy.filter.PassthroughGatewayFilter;

/**
 * Spring Cloud Gateway's filtering handler with each mesh route's sorted filter chain (global filters plus the
 * route's own) computed once when a view is applied instead of copied and sorted on every request, and run by
 * {@link MeshGatewayFilterChain} (one object per filter and request instead of Spring Cloud Gateway's three).
 *
 * <p>Mesh routes leave out the global filters that can only act on routes they never have: the route-URI to
 * request-URL merge (the cluster filter builds the upstream URL itself), {@code forward:} routing, {@code lb:}
 * resolution, and the cached request body's adapter and remover (a mesh route has none of the predicates or
 * filters that cache a body: its retries keep their own copy). Every route but the pass-through one also leaves
 * out Spring Cloud Gateway's response writer, which writes what its routing filter received: the cluster filter
 * writes its answer itself and a local answer is written where it is made, so for those routes the writer would
 * only add its operators around every request.
 */
public class MeshFilteringWebHandler extends FilteringWebHandler {

    /** Global filters that do nothing for a mesh route but cost a URI build, an attribute lookup or an operator. */
    private static final Set<String> NOT_FOR_MESH_ROUTES = Set.of(
            "org.springframework.cloud.gateway.filter.RouteToRequestUrlFilter",
            "org.springframework.cloud.gateway.filter.ForwardPathFilter",
            "org.springframework.cloud.gateway.filter.ForwardRoutingFilter",
            "org.springframework.cloud.gateway.filter.AdaptCachedBodyGlobalFilter",
            "org.springframework.cloud.gateway.filter.RemoveCachedBodyFilter",
            "org.springframework.cloud.gateway.config.GatewayNoLoadBalancerClientAutoConfiguration$NoLoadBalancerClientFilter");

    /** Writes the response Spring Cloud Gateway's routing filter received: only the pass-through route uses that. */
    private static final String RESPONSE_WRITER = "org.springframework.cloud.gateway.filter.NettyWriteResponseFilter";

    private final MeshRouteTable table;

    public MeshFilteringWebHandler(List<GlobalFilter> globalFilters, MeshRouteTable table) {
        super(globalFilters, false);
        this.table = table;
        table.chainFactory(this::getAllFilters);
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange) {
        Route route = exchange.getRequiredAttribute(GATEWAY_ROUTE_ATTR);
        GatewayFilter[] chain = table.chainArrayOf(route);
        return chain != null ? MeshGatewayFilterChain.of(chain, exchange) : super.handle(exchange);
    }

    @Override
    protected List<GatewayFilter> getCombinedFilters(Route route) {
        List<GatewayFilter> chain = table.chainOf(route);
        return chain != null ? chain : getAllFilters(route);
    }

    @Override
    protected List<GatewayFilter> getAllFilters(Route route) {
        List<GatewayFilter> all = super.getAllFilters(route);
        boolean passthrough = route.getFilters().stream()
                .anyMatch(filter -> filterClass(filter) == PassthroughGatewayFilter.class);
        all.removeIf(filter -> {
            String name = filterClass(filter).getName();
            return NOT_FOR_MESH_ROUTES.contains(name) || (!passthrough && name.equals(RESPONSE_WRITER));
        });
        return all;
    }

    private static Class<?> filterClass(GatewayFilter filter) {
        GatewayFilter f = filter instanceof OrderedGatewayFilter ordered ? ordered.getDelegate() : filter;
        return f instanceof DecoratingProxy proxy ? proxy.getDecoratedClass() : f.getClass();
    }
}
