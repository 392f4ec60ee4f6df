package dev.meshgate.proxy.route;

import java.util.List;
import java.util.Map;

import org.springframework.cloud.gateway.route.Route;

import dev.meshgate.core.view.ProxyView;
import dev.meshgate.proxy.cluster.ClusterSet;

/**
 * Everything one applied view compiles to; immutable, swapped as one reference.
 *
 * @param routes every mesh route in view order, for introspection
 */
record CompiledRouteTable(ProxyView view, Map<String, CompiledListener> listeners, ClusterSet clusters,
        List<Route> routes) {
}
