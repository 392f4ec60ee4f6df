package dev.meshgate.proxy.route;

import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.OrderedGatewayFilter;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.web.server.ServerWebExchange;

import io.netty.handler.codec.http.HttpHeaderNames;

import dev.meshgate.core.view.ProxyView;
import dev.meshgate.proxy.cluster.ClusterRuntime;
import dev.meshgate.proxy.cluster.ClusterSet;
import dev.meshgate.proxy.filter.LocalResponse;
import dev.meshgate.proxy.filter.NativeHeaders;
import dev.meshgate.proxy.filter.ResponseFlag;
import dev.meshgate.proxy.mirror.MirrorClient;
import dev.meshgate.proxy.predicate.HttpMatchPredicate;
import dev.meshgate.proxy.stream.StreamInfo;

/**
 * The proxy's routes: the last applied {@link ProxyView}, compiled, behind one volatile reference.
 *
 * <p>{@link #apply} compiles a whole view (clusters, every listener, virtual host, route and regex) before it
 * swaps anything, so a view either serves completely or not at all; a rejected view leaves the previous one
 * serving. Requests read the reference once and then work on immutable objects: a request never sees half of
 * a push. Cluster runtimes of clusters whose spec did not change are carried over (Decision 4).
 */
public final class MeshRouteTable {

    private static final Logger log = LoggerFactory.getLogger(MeshRouteTable.class);

    static final Route NO_VIEW = RouteCompiler.local("meshgate.no_view",
            new LocalResponse(503, ResponseFlag.NR, "no configuration received from the control plane yet"));
    static final Route NO_LISTENER = RouteCompiler.local("meshgate.no_listener",
            new LocalResponse(404, ResponseFlag.NR, "this port has no listener in the applied view"));

    private final MirrorClient mirrors;
    private volatile @Nullable CompiledRouteTable table;
    /** Each route's filter chain of the current table, by identity; replaced with the table. */
    private volatile Map<Route, Chain> chains = Map.of();
    private volatile @Nullable Function<Route, List<GatewayFilter>> chainFactory;
    /** Steps run with each compiled view before it serves ({@link #beforeServing}). */
    private final List<java.util.function.Consumer<ProxyView>> preparations =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    /** A table whose routes mirror in plaintext ({@link MirrorClient#shared()}). */
    public MeshRouteTable() {
        this(MirrorClient.shared());
    }

    /** A table whose routes send their mirror copies through {@code mirrors}. */
    public MeshRouteTable(MirrorClient mirrors) {
        this.mirrors = mirrors;
    }

    /**
     * Adds a step run with every view that compiled, before it serves, on the thread applying it (never an event
     * loop): where what the view's clusters need from files (certificates) is loaded, so that requests find it
     * ready and do no I/O. A step records a problem of the view where requests find it; it throws only for a bug.
     */
    public void beforeServing(java.util.function.Consumer<ProxyView> step) {
        preparations.add(step);
    }

    /**
     * Compiles the view and, only if all of it compiles, makes it the one serving. Applying a view whose version
     * equals the current one does nothing.
     *
     * @throws ViewRejectedException naming the route (or listener, or cluster) and field that does not compile
     */
    public synchronized void apply(ProxyView view) throws ViewRejectedException {
        CompiledRouteTable current = this.table;
        if (current != null && current.view().version().equals(view.version())) {
            return;
        }
        long start = System.nanoTime();
        CompiledRouteTable next;
        try {
            next = current == null ? RouteTableCompiler.compile(view, ClusterSet.EMPTY, mirrors)
                    : RouteTableCompiler.compile(view, current.clusters(), current.listeners(), mirrors);
        } catch (ViewRejectedException e) {
            log.warn("Rejected view {} (snapshot {}), still serving {}: {}", view.version(), view.snapshotVersion(),
                    current == null ? "nothing" : current.view().version(), e.reason());
            throw e;
        }
        for (java.util.function.Consumer<ProxyView> step : preparations) {
            step.accept(view);
        }
        Map<Route, Chain> nextChains = chains(next, chains);
        this.table = next;
        this.chains = nextChains;
        if (current != null) {
            current.clusters().retireReplacedBy(next.clusters());
        }
        log.info("Applied view {} (snapshot {}): {} listeners, {} routes, {} clusters in {} ms", view.version(),
                view.snapshotVersion(), next.listeners().size(), next.routes().size(), next.clusters().size(),
                (System.nanoTime() - start) / 1_000_000);
    }

    /** Sets how a route's sorted filter chain is computed; chains are then precomputed on each apply. */
    synchronized void chainFactory(Function<Route, List<GatewayFilter>> factory) {
        this.chainFactory = factory;
        CompiledRouteTable t = table;
        if (t != null) {
            this.chains = chains(t, Map.of());
        }
    }

    /** The precomputed filter chain of a route of the current view, or null. */
    @Nullable List<GatewayFilter> chainOf(Route route) {
        Chain chain = chains.get(route);
        return chain == null ? null : chain.sorted();
    }

    /** The filters {@link MeshGatewayFilterChain} runs for a route of the current view (unwrapped), or null. */
    GatewayFilter @Nullable [] chainArrayOf(Route route) {
        Chain chain = chains.get(route);
        return chain == null ? null : chain.run();
    }

    /** A route's sorted filters, and the same without their {@link OrderedGatewayFilter} wrappers, to run. */
    private record Chain(List<GatewayFilter> sorted, GatewayFilter[] run) {

        static Chain of(List<GatewayFilter> sorted) {
            List<GatewayFilter> copy = List.copyOf(sorted);
            return new Chain(copy, copy.stream()
                    .map(f -> f instanceof OrderedGatewayFilter ordered ? ordered.getDelegate() : f)
                    .toArray(GatewayFilter[]::new));
        }
    }

    /** The chains of {@code t}'s routes; a route reused from the table before keeps its chain from {@code before}. */
    private Map<Route, Chain> chains(CompiledRouteTable t, Map<Route, Chain> before) {
        Function<Route, List<GatewayFilter>> factory = chainFactory;
        if (factory == null) {
            return Map.of();
        }
        Map<Route, Chain> map = new IdentityHashMap<>();
        for (Route r : t.routes()) {
            Chain chain = before.get(r);
            map.put(r, chain != null ? chain : Chain.of(factory.apply(r)));
        }
        for (Route r : List.of(NO_VIEW, NO_LISTENER, RouteTableCompiler.NO_ROUTE, RouteTableCompiler.NO_VIRTUAL_HOST,
                RouteTableCompiler.BLACK_HOLE, RouteTableCompiler.PASSTHROUGH)) {
            map.put(r, Chain.of(factory.apply(r)));
        }
        return Collections.unmodifiableMap(map);
    }

    /** The compiled table serving now, or null: for {@link Simulator}'s explanation of a lookup. */
    @Nullable CompiledRouteTable compiled() {
        return table;
    }

    /** The view serving now, or null before the first successful {@link #apply}. */
    public @Nullable ProxyView current() {
        CompiledRouteTable t = table;
        return t == null ? null : t.view();
    }

    /** Every mesh route of the current view, in view order (for introspection). */
    public List<Route> routes() {
        CompiledRouteTable t = table;
        return t == null ? List.of() : t.routes();
    }

    /** The runtimes of the current view's clusters (for introspection). */
    public Collection<ClusterRuntime> clusters() {
        CompiledRouteTable t = table;
        return t == null ? List.of() : t.clusters().all();
    }

    /** The runtime of a cluster of the current view, or null. */
    public @Nullable ClusterRuntime cluster(String name) {
        CompiledRouteTable t = table;
        return t == null ? null : t.clusters().get(name);
    }

    /** Whether Envoy's {@code grpc_web} filter is on this listener of the current view ({@code ListenerSpec.grpcWeb}). */
    public boolean grpcWebListener(@Nullable String listenerName) {
        CompiledRouteTable t = table;
        CompiledListener listener = t == null || listenerName == null ? null : t.listeners().get(listenerName);
        return listener != null && listener.spec().grpcWeb();
    }

    /**
     * The route that serves this request on this listener: the first matching route of the virtual host its Host
     * header selects, or a route answering locally (no view, no listener, unknown host, no route). Never null.
     * The part of the path the route's match covered as a prefix ({@link HttpMatchPredicate#uriPrefix}) is left in
     * the exchange for a rewrite.
     */
    public Route lookup(String listenerName, ServerWebExchange exchange) {
        CompiledRouteTable t = table;
        if (t == null) {
            return NO_VIEW;
        }
        CompiledListener listener = t.listeners().get(listenerName);
        if (listener == null) {
            return NO_LISTENER;
        }
        VirtualHost vh = listener.hosts().find(NativeHeaders.first(exchange.getRequest(), HttpHeaderNames.HOST));
        if (vh == null) {
            return listener.unknownHost();
        }
        List<MeshRoute> routes = vh.routes();
        for (int i = 0, n = routes.size(); i < n; i++) {
            MeshRoute route = routes.get(i);
            HttpMatchPredicate match = route.matcher().match(exchange);
            if (match != null) {
                StreamInfo.of(exchange).matchedUriPrefix(match.uriPrefix());
                return route.route();
            }
        }
        return vh.noRoute();
    }
}
