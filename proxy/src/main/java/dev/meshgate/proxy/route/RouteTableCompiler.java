package dev.meshgate.proxy.route;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.cloud.gateway.route.Route;

import dev.meshgate.core.view.ListenerSpec;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.view.ProxyViewCheck;
import dev.meshgate.core.view.RouteSpec;
import dev.meshgate.core.view.VirtualHostSpec;
import dev.meshgate.core.view.RouteSpec.WeightedCluster;
import dev.meshgate.proxy.cluster.ClusterSet;
import dev.meshgate.proxy.filter.LocalResponse;
import dev.meshgate.proxy.filter.ResponseFlag;
import dev.meshgate.proxy.mirror.MirrorClient;

/**
 * Compiles a whole {@link ProxyView} (clusters, listeners, virtual hosts, routes, regexes) into a
 * {@link CompiledRouteTable}, or rejects it with the first problem {@link ProxyViewCheck} finds: that check in
 * core is the one definition of what a proxy accepts (the control plane runs it too, before a push), so this
 * compiler does not repeat its rules; an exception while compiling a view that passed it is a bug, and still
 * rejects the view rather than fail the caller. Nothing is shared with the table in
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

    static CompiledRouteTable compile(ProxyView view, ClusterSet previous, MirrorClient mirrors)
            throws ViewRejectedException {
        return compile(view, previous, Map.of(), mirrors);
    }

    /**
     * As {@link #compile(ProxyView, ClusterSet, MirrorClient)}, reusing the compiled virtual hosts of
     * {@code previousListeners} (the table serving now) that still apply: a view built from a delta holds the
     * virtual host specs it did not change, so applying a one-service change compiles one virtual host, not the
     * whole view.
     */
    static CompiledRouteTable compile(ProxyView view, ClusterSet previous,
            Map<String, CompiledListener> previousListeners, MirrorClient mirrors) throws ViewRejectedException {
        String problem;
        try {
            problem = ProxyViewCheck.summary(view);
        } catch (RuntimeException e) {
            // A malformed view (a null where a value is required): reject it rather than fail the caller.
            throw new ViewRejectedException(view.version(), "malformed view: " + e);
        }
        if (problem != null) {
            throw new ViewRejectedException(view.version(), problem);
        }
        try {
            return compileChecked(view, previous, previousListeners, mirrors);
        } catch (RuntimeException e) {
            // The last resort: a view the check passed but that does not compile is a bug of the check.
            throw new ViewRejectedException(view.version(), "malformed view: " + e);
        }
    }

    private static CompiledRouteTable compileChecked(ProxyView view, ClusterSet previous,
            Map<String, CompiledListener> previousListeners, MirrorClient mirrors) {
        ClusterSet clusters = ClusterSet.of(previous, view.clusters());
        Map<String, CompiledListener> listeners = new HashMap<>();
        List<Route> all = new ArrayList<>();
        for (ListenerSpec listener : view.listeners()) {
            CompiledListener before = previousListeners.get(listener.name());
            Map<VirtualHostSpec, VirtualHost> reusable = before != null
                    && before.spec().withVirtualHosts(List.of()).equals(listener.withVirtualHosts(List.of()))
                            ? before.compiled() : Map.of();
            listeners.put(listener.name(), compileListener(listener, view, previous, clusters, reusable, all,
                    mirrors));
        }
        return new CompiledRouteTable(view, Map.copyOf(listeners), clusters, List.copyOf(all));
    }

    private static CompiledListener compileListener(ListenerSpec listener, ProxyView view, ClusterSet previous,
            ClusterSet clusters, Map<VirtualHostSpec, VirtualHost> reusable, List<Route> all, MirrorClient mirrors) {
        boolean gateway = listener.direction() == ListenerSpec.Direction.GATEWAY;
        int listenerPort = gateway ? listener.port() : 0;
        VirtualHostMap.Builder hosts = new VirtualHostMap.Builder(gateway);
        Map<VirtualHostSpec, VirtualHost> compiled = new IdentityHashMap<>();
        for (VirtualHostSpec vhSpec : listener.virtualHosts()) {
            VirtualHost vh = reusable.get(vhSpec);
            if (vh == null || !sameClusters(vhSpec, previous, clusters)) {
                vh = compileVirtualHost(vhSpec, listener, listenerPort, clusters, mirrors);
            }
            compiled.put(vhSpec, vh);
            for (MeshRoute route : vh.routes()) {
                all.add(route.route());
            }
            for (String domain : vhSpec.domains()) {
                hosts.add(domain, vh);
            }
        }
        return new CompiledListener(listener, hosts.build(), unknownHostRoute(listener, view),
                Collections.unmodifiableMap(compiled));
    }

    private static VirtualHost compileVirtualHost(VirtualHostSpec vhSpec, ListenerSpec listener, int listenerPort,
            ClusterSet clusters, MirrorClient mirrors) {
        List<MeshRoute> routes = new ArrayList<>(vhSpec.routes().size());
        int order = 0;
        for (RouteSpec routeSpec : vhSpec.routes()) {
            routes.add(RouteCompiler.compile(routeSpec, vhSpec.name(), order++, listenerPort, clusters,
                    listener.grpcWeb(), mirrors));
        }
        return new VirtualHost(vhSpec.name(), List.copyOf(routes), NO_ROUTE);
    }

    /**
     * Whether the virtual host compiled with {@code previous} would compile the same with {@code clusters}: every
     * cluster its routes send to kept its runtime. A route with mirrors never is: its filter looks its clusters up
     * in the set it was compiled with.
     */
    private static boolean sameClusters(VirtualHostSpec vhSpec, ClusterSet previous, ClusterSet clusters) {
        for (RouteSpec route : vhSpec.routes()) {
            if (!route.mirrors().isEmpty()) {
                return false;
            }
            if (route.route() == null) {
                continue;
            }
            for (WeightedCluster destination : route.route().clusters()) {
                String name = destination.cluster();
                if (name == null || previous.get(name) != clusters.get(name)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static Route unknownHostRoute(ListenerSpec listener, ProxyView view) {
        if (listener.direction() == ListenerSpec.Direction.OUTBOUND) {
            return view.outboundTrafficPolicy() == ProxyView.OutboundTrafficPolicy.REGISTRY_ONLY ? BLACK_HOLE
                    : PASSTHROUGH;
        }
        return NO_VIRTUAL_HOST;
    }
}
