package dev.meshgate.proxy.route;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.springframework.cloud.gateway.route.Route;

import dev.meshgate.core.view.ListenerSpec;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.view.RouteSpec;
import dev.meshgate.core.view.VirtualHostSpec;
import dev.meshgate.proxy.cluster.ClusterSet;
import dev.meshgate.proxy.filter.LocalResponse;
import dev.meshgate.proxy.filter.ResponseFlag;

/**
 * Compiles a whole {@link ProxyView} (clusters, listeners, virtual hosts, routes, regexes) into a
 * {@link CompiledRouteTable}, or rejects it with the first problem found. Nothing is shared with the table in
 * service except the cluster runtimes of unchanged clusters, which are reused, not modified.
 */
final class RouteTableCompiler {

    static final Route NO_ROUTE = RouteCompiler.local("meshgate.no_route",
            new LocalResponse(404, ResponseFlag.NR, "no route matched"));
    static final Route NO_VIRTUAL_HOST = RouteCompiler.local("meshgate.no_virtual_host",
            new LocalResponse(404, ResponseFlag.NR, "no server or virtual host for this host"));
    static final Route BLACK_HOLE = RouteCompiler.local("BlackHoleCluster",
            new LocalResponse(502, ResponseFlag.NR, "unknown host and outbound traffic policy is REGISTRY_ONLY"));
    static final Route PASSTHROUGH = RouteCompiler.passthrough();

    private RouteTableCompiler() {
    }

    static CompiledRouteTable compile(ProxyView view, ClusterSet previous) throws ViewRejectedException {
        try {
            return compileChecked(view, previous);
        } catch (ViewRejectedException e) {
            throw e;
        } catch (RuntimeException e) {
            // A malformed view (a null where a value is required): reject it rather than fail the caller.
            throw new ViewRejectedException(view.version(), "malformed view: " + e);
        }
    }

    private static CompiledRouteTable compileChecked(ProxyView view, ClusterSet previous) throws ViewRejectedException {
        String version = view.version();
        ClusterSet clusters;
        try {
            clusters = ClusterSet.of(previous, view.clusters());
        } catch (IllegalArgumentException e) {
            throw new ViewRejectedException(version, e.getMessage());
        }
        Map<String, CompiledListener> listeners = new HashMap<>();
        List<Route> all = new ArrayList<>();
        for (ListenerSpec listener : view.listeners()) {
            CompiledListener compiled;
            try {
                compiled = compileListener(listener, view, clusters, all);
            } catch (IllegalArgumentException e) {
                throw new ViewRejectedException(version, e.getMessage());
            }
            if (listeners.put(listener.name(), compiled) != null) {
                throw new ViewRejectedException(version, "listener " + listener.name() + " is defined twice");
            }
        }
        return new CompiledRouteTable(view, Map.copyOf(listeners), clusters, List.copyOf(all));
    }

    private static CompiledListener compileListener(ListenerSpec listener, ProxyView view, ClusterSet clusters,
            List<Route> all) {
        if (listener.direction() == null) {
            throw new IllegalArgumentException("listener " + listener.name() + " direction: missing");
        }
        boolean gateway = listener.direction() == ListenerSpec.Direction.GATEWAY;
        int listenerPort = gateway ? listener.port() : 0;
        VirtualHostMap.Builder hosts = new VirtualHostMap.Builder(gateway);
        for (VirtualHostSpec vhSpec : listener.virtualHosts()) {
            List<MeshRoute> routes = new ArrayList<>(vhSpec.routes().size());
            int order = 0;
            for (RouteSpec routeSpec : vhSpec.routes()) {
                MeshRoute route = RouteCompiler.compile(routeSpec, vhSpec.name(), order++, listenerPort, clusters);
                routes.add(route);
                all.add(route.route());
            }
            VirtualHost vh = new VirtualHost(vhSpec.name(), List.copyOf(routes), NO_ROUTE);
            for (String domain : vhSpec.domains()) {
                String problem = hosts.add(domain, vh);
                if (problem != null) {
                    throw new IllegalArgumentException("listener " + listener.name() + " virtual host "
                            + vhSpec.name() + " " + problem);
                }
            }
        }
        return new CompiledListener(listener, hosts.build(), unknownHostRoute(listener, view));
    }

    private static Route unknownHostRoute(ListenerSpec listener, ProxyView view) {
        if (listener.direction() == ListenerSpec.Direction.OUTBOUND) {
            return view.outboundTrafficPolicy() == ProxyView.OutboundTrafficPolicy.REGISTRY_ONLY ? BLACK_HOLE
                    : PASSTHROUGH;
        }
        return NO_VIRTUAL_HOST;
    }
}
