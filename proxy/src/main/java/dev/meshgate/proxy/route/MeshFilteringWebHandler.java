package dev.meshgate.proxy.route;

import java.util.List;
import java.util.Set;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.OrderedGatewayFilter;
import org.springframework.cloud.gateway.handler.FilteringWebHandler;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.core.DecoratingProxy;

/**
 * Spring Cloud Gateway's filtering handler with each mesh route's sorted filter chain (global filters plus the
 * route's own) computed once when a view is applied instead of copied and sorted on every request.
 *
 * <p>Mesh routes leave out the global filters that can only act on routes they never have: the route-URI to
 * request-URL merge (the cluster filter builds the upstream URL itself), {@code forward:} routing, and
 * {@code lb:} resolution.
 */
public class MeshFilteringWebHandler extends FilteringWebHandler {

    /** Global filters that do nothing for a mesh route but cost a URI build or an attribute lookup. */
    private static final Set<String> NOT_FOR_MESH_ROUTES = Set.of(
            "org.springframework.cloud.gateway.filter.RouteToRequestUrlFilter",
            "org.springframework.cloud.gateway.filter.ForwardPathFilter",
            "org.springframework.cloud.gateway.filter.ForwardRoutingFilter",
            "org.springframework.cloud.gateway.config.GatewayNoLoadBalancerClientAutoConfiguration$NoLoadBalancerClientFilter");

    private final MeshRouteTable table;

    public MeshFilteringWebHandler(List<GlobalFilter> globalFilters, MeshRouteTable table) {
        super(globalFilters, false);
        this.table = table;
        table.chainFactory(this::getAllFilters);
    }

    @Override
    protected List<GatewayFilter> getCombinedFilters(Route route) {
        List<GatewayFilter> chain = table.chainOf(route);
        return chain != null ? chain : getAllFilters(route);
    }

    @Override
    protected List<GatewayFilter> getAllFilters(Route route) {
        List<GatewayFilter> all = super.getAllFilters(route);
        all.removeIf(filter -> NOT_FOR_MESH_ROUTES.contains(filterClass(filter).getName()));
        return all;
    }

    private static Class<?> filterClass(GatewayFilter filter) {
        GatewayFilter f = filter instanceof OrderedGatewayFilter ordered ? ordered.getDelegate() : filter;
        return f instanceof DecoratingProxy proxy ? proxy.getDecoratedClass() : f.getClass();
    }
}
