package dev.meshgate.proxy.route;

import java.util.List;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.handler.FilteringWebHandler;
import org.springframework.cloud.gateway.route.Route;

/**
 * Spring Cloud Gateway's filtering handler with each mesh route's sorted filter chain (global filters plus the
 * route's own) computed once when a view is applied instead of copied and sorted on every request.
 */
public class MeshFilteringWebHandler extends FilteringWebHandler {

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
}
