package dev.meshgate.proxy.route;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.springframework.cloud.gateway.route.Route;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.web.server.ServerWebExchange;

import dev.meshgate.core.view.ClusterSpec;
import dev.meshgate.core.view.ListenerSpec;
import dev.meshgate.core.view.MatchSpec;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.view.RouteSpec;
import dev.meshgate.core.view.VirtualHostSpec;

/**
 * Answers "where would this request go, and why" for a proxy view, offline: the view is compiled by the proxy's
 * own {@link MeshRouteTable} and the request is looked up by its {@link MeshRouteTable#lookup}, with the same
 * virtual host map and route predicates the running proxy evaluates; nothing is listened on or sent. Used by
 * {@code meshctl simulate} and by simulation tests.
 */
public final class Simulator {

    private final MeshRouteTable table = new MeshRouteTable();
    private final ProxyView view;
    private final Map<String, RouteSpec> routeSpecs = new HashMap<>();
    private final Map<String, ClusterSpec> clusterSpecs = new HashMap<>();

    private Simulator(ProxyView view) {
        this.view = view;
        for (ListenerSpec listener : view.listeners()) {
            for (VirtualHostSpec vh : listener.virtualHosts()) {
                for (RouteSpec route : vh.routes()) {
                    routeSpecs.putIfAbsent(route.id(), route);
                }
            }
        }
        for (ClusterSpec cluster : view.clusters()) {
            clusterSpecs.put(cluster.name(), cluster);
        }
    }

    /**
     * Compiles a view as the proxy would apply it.
     *
     * @throws ViewRejectedException when the proxy would reject (NACK) the view
     */
    public static Simulator of(ProxyView view) throws ViewRejectedException {
        Simulator simulator = new Simulator(view);
        simulator.table.apply(view);
        return simulator;
    }

    /** The view simulated. */
    public ProxyView view() {
        return view;
    }

    /**
     * A request: method, absolute URL and extra headers. The Host header is the URL's authority unless a
     * {@code Host} header is given.
     */
    public record Request(String method, URI url, List<Map.Entry<String, String>> headers) {

        public Request {
            headers = List.copyOf(headers);
            if (url.getRawAuthority() == null && headers.stream().noneMatch(h -> h.getKey().equalsIgnoreCase("host"))) {
                throw new IllegalArgumentException("url: " + url + " (expected: an absolute URL such as http://host/path)");
            }
        }

        /** {@code GET url}. */
        public static Request get(String url) {
            return new Request("GET", URI.create(url), List.of());
        }

        /** This request with one more header. */
        public Request header(String name, String value) {
            List<Map.Entry<String, String>> more = new ArrayList<>(headers);
            more.add(Map.entry(name, value));
            return new Request(method, url, more);
        }

        /** This request with another method. */
        public Request method(String newMethod) {
            return new Request(newMethod, url, headers);
        }

        HttpHeaders httpHeaders() {
            HttpHeaders http = new HttpHeaders();
            boolean host = false;
            for (Map.Entry<String, String> header : headers) {
                http.add(header.getKey(), header.getValue());
                host |= header.getKey().equalsIgnoreCase(HttpHeaders.HOST);
            }
            if (!host) {
                http.set(HttpHeaders.HOST, url.getRawAuthority());
            }
            return http;
        }

        /** The destination port: the URL's, or its scheme's default. */
        int port() {
            if (url.getPort() > 0) {
                return url.getPort();
            }
            return "https".equalsIgnoreCase(url.getScheme()) ? 443 : 80;
        }
    }

    /**
     * The listener a request arrives on: a gateway's listener of the URL's port ({@code gateway/<port>}), else the
     * sidecar's outbound listener.
     */
    public String listenerFor(Request request) {
        String gateway = "gateway/" + request.port();
        ListenerSpec outbound = null;
        for (ListenerSpec listener : view.listeners()) {
            if (listener.name().equals(gateway)) {
                return gateway;
            }
            if (listener.direction() == ListenerSpec.Direction.OUTBOUND && outbound == null) {
                outbound = listener;
            }
        }
        return outbound != null ? outbound.name() : gateway;
    }

    /** Where the request goes on the listener {@link #listenerFor} picks. */
    public RouteDecision simulate(Request request) {
        return simulate(listenerFor(request), request);
    }

    /** Where the request goes when it arrives on {@code listenerName}. */
    public RouteDecision simulate(String listenerName, Request request) {
        HttpHeaders headers = request.httpHeaders();
        String authority = headers.getFirst(HttpHeaders.HOST);
        URI uri = request.url().getRawAuthority() != null ? request.url()
                : URI.create("http://" + authority + request.url().getRawPath()
                        + (request.url().getRawQuery() == null ? "" : "?" + request.url().getRawQuery()));
        ServerWebExchange exchange = SimulatedExchange.of(HttpMethod.valueOf(request.method()), uri, headers);
        Route served = table.lookup(listenerName, exchange);

        CompiledRouteTable compiled = table.compiled();
        CompiledListener listener = compiled == null ? null : compiled.listeners().get(listenerName);
        VirtualHost vh = listener == null ? null : listener.hosts().find(authority);
        List<String> notMatched = new ArrayList<>();
        MeshRoute meshRoute = null;
        if (vh != null) {
            for (MeshRoute candidate : vh.routes()) {
                if (candidate.route() == served) {
                    meshRoute = candidate;
                    break;
                }
                notMatched.add(candidate.route().getId());
            }
        }
        if (meshRoute == null) {
            return new RouteDecision(listenerName, authority, outcomeOf(served), vh == null ? null : vh.name(),
                    served.getId(), null, -1, null, notMatched, List.of());
        }
        RouteSpec spec = routeSpecs.get(served.getId());
        int matchIndex = spec == null || spec.matches().isEmpty() ? -1 : meshRoute.matcher().firstMatch(exchange);
        MatchSpec match = matchIndex < 0 ? null : spec.matches().get(matchIndex);
        RouteDecision.Outcome outcome = spec == null || spec.route() != null ? RouteDecision.Outcome.ROUTE
                : spec.redirect() != null ? RouteDecision.Outcome.REDIRECT : RouteDecision.Outcome.DIRECT_RESPONSE;
        return new RouteDecision(listenerName, authority, outcome, vh.name(), served.getId(), spec, matchIndex, match,
                notMatched, destinations(served));
    }

    private List<RouteDecision.Destination> destinations(Route route) {
        // The names and weights the compiled route carries: weights as the proxy uses them, not as written.
        List<?> names = (List<?>) route.getMetadata().getOrDefault(RouteCompiler.CLUSTERS, List.of());
        List<?> weights = (List<?>) route.getMetadata().getOrDefault(RouteCompiler.WEIGHTS, List.of());
        int total = 0;
        for (Object weight : weights) {
            total += (Integer) weight;
        }
        List<RouteDecision.Destination> destinations = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            String name = (String) names.get(i);
            int weight = (Integer) weights.get(i);
            destinations.add(new RouteDecision.Destination(name, weight, total == 0 ? 0 : 100.0 * weight / total,
                    clusterSpecs.get(name)));
        }
        return destinations;
    }

    private static RouteDecision.Outcome outcomeOf(Route served) {
        if (served == RouteTableCompiler.PASSTHROUGH) {
            return RouteDecision.Outcome.PASSTHROUGH;
        }
        if (served == RouteTableCompiler.BLACK_HOLE) {
            return RouteDecision.Outcome.BLACK_HOLE;
        }
        if (served == RouteTableCompiler.NO_VIRTUAL_HOST) {
            return RouteDecision.Outcome.NO_VIRTUAL_HOST;
        }
        if (served == MeshRouteTable.NO_LISTENER || served == MeshRouteTable.NO_VIEW) {
            return RouteDecision.Outcome.NO_LISTENER;
        }
        return RouteDecision.Outcome.NO_ROUTE;
    }
}
