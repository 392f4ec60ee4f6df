package dev.meshgate.core.translate.sidecar;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.jspecify.annotations.Nullable;

import dev.meshgate.core.index.MeshIndex;
import dev.meshgate.core.networking.virtualservice.HttpMatchRequest;
import dev.meshgate.core.networking.virtualservice.HttpRetry;
import dev.meshgate.core.networking.virtualservice.HttpRoute;
import dev.meshgate.core.networking.virtualservice.VirtualService;
import dev.meshgate.core.registry.Service;
import dev.meshgate.core.registry.ServicePort;
import dev.meshgate.core.registry.ServiceRegistry;
import dev.meshgate.core.registry.Visibility;
import dev.meshgate.core.resource.Resource;
import dev.meshgate.core.translate.HostResolver;
import dev.meshgate.core.translate.VirtualHostDomains;
import dev.meshgate.core.translate.cluster.ClusterKey;
import dev.meshgate.core.translate.http.HttpRetryTranslator;
import dev.meshgate.core.translate.http.HttpRouteTranslator;
import dev.meshgate.core.translate.http.RouteContext;
import dev.meshgate.core.view.ListenerSpec;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.RouteSpec;
import dev.meshgate.core.view.RouteSpec.RouteAction;
import dev.meshgate.core.view.RouteSpec.WeightedCluster;
import dev.meshgate.core.view.VirtualHostSpec;

/**
 * Implements {@code VirtualService.spec.hosts} and {@code spec.gateways: [mesh]} for a sidecar: its outbound
 * listener, one virtual host per (service host, HTTP port) the proxy's namespace sees ({@code exportTo} of
 * services and VirtualServices).
 *
 * <ul>
 *   <li>A VirtualService host is resolved in the VirtualService's namespace; a wildcard covers every visible
 *       service host under it. The VirtualService's routes replace the default route of every HTTP port of the
 *       services it names. A host no service has still gets a virtual host of its own (port 80 and any
 *       {@code match.port}), whose destinations are reached by DNS.
 *   <li>Several VirtualServices for one host: as Istio, one of them serves it, not a merge. They are taken in
 *       {@link MeshIndex#virtualServicePrecedence} order (private to the proxy's namespace, exported to it, public;
 *       each oldest first by {@code metadata.creationTimestamp}, then name, then namespace) and the first with
 *       routes for this proxy takes the (host, port) whole; the others' routes for it are left out (MG0905 warns).
 *       A wildcard host serves a service only when no VirtualService names it exactly or by a longer wildcard.
 *   <li>A service no VirtualService routes (or whose VirtualService routes nothing for this proxy, e.g. every
 *       match has other {@code sourceLabels}) gets one route {@code default.<cluster>} to
 *       {@code outbound|<port>||<host>}.
 *   <li>Domains follow {@link VirtualHostDomains}; a domain claimed by two virtual hosts stays with the first in
 *       (host, port) order, since a listener cannot serve one authority twice.
 * </ul>
 * Not supported: the {@code Sidecar} resource's egress scoping (every visible service is in the view),
 * non-HTTP ports (TCP, TLS, HTTPS are left out), {@code tls} and {@code tcp} routes.
 */
public final class SidecarViewTranslator {

    /** A port of Istio's HTTP default, used for a host the registry does not know. */
    private static final int HTTP_DEFAULT_PORT = 80;

    private SidecarViewTranslator() {
    }

    /** The outbound listener of {@code proxy}; every cluster its routes name is added to {@code clusters}. */
    public static ListenerSpec translate(MeshIndex index, ProxyIdentity proxy, Set<ClusterKey> clusters) {
        String suffix = index.settings().domainSuffix();
        List<Service> services = new ArrayList<>();
        for (Service service : index.registry().services()) {
            if (service.isVisibleTo(proxy.namespace())) {
                services.add(service);
            }
        }

        List<Resource<VirtualService>> visible = new ArrayList<>();
        for (Resource<VirtualService> vs : index.meshVirtualServices()) {
            if (Visibility.isExportedTo(vs.spec().exportTo(), vs.metadata().namespace(), proxy.namespace())) {
                visible.add(vs);
            }
        }
        visible.sort(MeshIndex.virtualServicePrecedence(proxy.namespace()));
        Map<String, Resource<VirtualService>> byService = mostSpecificVirtualService(visible, services, suffix);

        // the first VirtualService (in precedence order) with routes for a (host, port) takes it whole
        Map<HostPort, List<RouteSpec>> routed = new TreeMap<>();
        for (Resource<VirtualService> vs : visible) {
            for (HostPort hostPort : hostPorts(vs, index.registry(), services, byService, proxy.namespace(),
                    suffix)) {
                if (routed.containsKey(hostPort)) {
                    continue;
                }
                Set<ClusterKey> used = new LinkedHashSet<>();
                RouteContext context = new RouteContext(index, proxy, Set.of(MeshIndex.MESH_GATEWAY), hostPort.port(),
                        used);
                List<RouteSpec> routes = new ArrayList<>();
                for (int i = 0; i < vs.spec().http().size(); i++) {
                    RouteSpec route = HttpRouteTranslator.translate(vs, i, context);
                    if (route != null) {
                        routes.add(route);
                    }
                }
                if (!routes.isEmpty()) {
                    routed.put(hostPort, routes);
                    clusters.addAll(used);
                }
            }
        }

        Map<HostPort, List<RouteSpec>> virtualHosts = new TreeMap<>();
        for (Service service : services) {
            for (ServicePort port : service.ports()) {
                if (!port.isHttp()) {
                    continue;
                }
                HostPort hostPort = new HostPort(service.hostname(), port.number());
                ClusterKey cluster = new ClusterKey(service.hostname(), port.number(), null);
                clusters.add(cluster);
                List<RouteSpec> routes = routed.getOrDefault(hostPort, List.of());
                virtualHosts.put(hostPort, routes.isEmpty() ? List.of(defaultRoute(cluster, index.settings().defaultHttpRetryPolicy())) : routes);
            }
        }
        routed.forEach(virtualHosts::putIfAbsent);

        Set<String> claimed = new HashSet<>();
        List<VirtualHostSpec> specs = new ArrayList<>();
        virtualHosts.forEach((hostPort, routes) -> {
            List<String> domains = new ArrayList<>();
            for (String domain : VirtualHostDomains.forSidecar(hostPort.host(), hostPort.port(), proxy.namespace(),
                    suffix)) {
                if (claimed.add(domain)) {
                    domains.add(domain);
                }
            }
            if (!domains.isEmpty()) {
                specs.add(new VirtualHostSpec(hostPort.host() + ":" + hostPort.port(), domains, routes));
            }
        });
        return new ListenerSpec("outbound", 0, ListenerSpec.Direction.OUTBOUND, specs);
    }

    /**
     * The route of a service no VirtualService routes: everything to its cluster, with the mesh's default retry
     * policy (MeshConfig's {@code defaultHttpRetryPolicy}, else Istio's; as {@code BuildDefaultHTTPOutboundRoute}
     * does).
     */
    public static RouteSpec defaultRoute(ClusterKey cluster, @Nullable HttpRetry meshDefaultRetries) {
        return new RouteSpec("default." + cluster.name(), null, List.of(),
                new RouteAction(List.of(new WeightedCluster(cluster.name(), 100, null, null))), null, null, null,
                null, null, 0, HttpRetryTranslator.translate(null, meshDefaultRetries), null, List.of(), null);
    }

    /**
     * For each service host a VirtualService names, the one whose host is the most specific for it (Istio's
     * {@code computeWildcardHostVirtualServiceIndex}): the exact host, else the longest wildcard; among
     * VirtualServices with that same host, the oldest. A wildcard VirtualService serves only the services it is
     * the most specific for.
     */
    static Map<String, Resource<VirtualService>> mostSpecificVirtualService(
            List<Resource<VirtualService>> visible, List<Service> services, String suffix) {
        Map<String, Resource<VirtualService>> exact = new HashMap<>();
        Map<String, Resource<VirtualService>> wildcard = new HashMap<>();
        for (Resource<VirtualService> vs : visible) {
            for (String written : vs.spec().hosts()) {
                String host = HostResolver.resolve(written, vs.metadata().namespace(), suffix);
                (host.startsWith("*") ? wildcard : exact).merge(host, vs,
                        (existing, candidate) -> isOlder(candidate, existing) ? candidate : existing);
            }
        }
        Map<String, Resource<VirtualService>> out = new HashMap<>();
        for (Service service : services) {
            Resource<VirtualService> vs = exact.get(service.hostname());
            if (vs == null) {
                String best = null;
                for (String pattern : wildcard.keySet()) {
                    if (HostResolver.covers(pattern, service.hostname())
                            && (best == null || pattern.length() > best.length())) {
                        best = pattern;
                    }
                }
                vs = best == null ? null : wildcard.get(best);
            }
            if (vs != null) {
                out.put(service.hostname(), vs);
            }
        }
        return out;
    }

    /** Istio's {@code CreationTimestamp.Before}: strictly older; equal times keep the earlier in precedence. */
    private static boolean isOlder(Resource<VirtualService> candidate, Resource<VirtualService> existing) {
        Instant a = candidate.metadata().creationTimestamp();
        Instant b = existing.metadata().creationTimestamp();
        return a != null && b != null && a.isBefore(b) || a == null && b != null;
    }

    /** The (host, port) pairs whose routes a VirtualService replaces. */
    private static Set<HostPort> hostPorts(Resource<VirtualService> vs, ServiceRegistry registry,
            List<Service> services, Map<String, Resource<VirtualService>> byService, String proxyNamespace,
            String suffix) {
        Set<HostPort> out = new LinkedHashSet<>();
        for (String written : vs.spec().hosts()) {
            String host = HostResolver.resolve(written, vs.metadata().namespace(), suffix);
            List<Service> covered = new ArrayList<>();
            boolean coversAny = false;
            if (host.contains("*")) {
                for (Service service : services) {
                    if (HostResolver.covers(host, service.hostname())) {
                        coversAny = true;
                        if (byService.get(service.hostname()) == vs) {
                            covered.add(service);
                        }
                    }
                }
            } else {
                Service service = registry.service(host);
                if (service != null && service.isVisibleTo(proxyNamespace)) {
                    covered.add(service);
                }
            }
            // a service hidden from this namespace by its exportTo gets no virtual host through a VirtualService
            boolean known = coversAny || !covered.isEmpty() || registry.service(host) != null;
            for (Service service : covered) {
                for (ServicePort port : service.ports()) {
                    if (port.isHttp()) {
                        out.add(new HostPort(service.hostname(), port.number()));
                    }
                }
            }
            if (!known && !host.equals("*")) {
                out.add(new HostPort(host, HTTP_DEFAULT_PORT));
                for (HttpRoute http : vs.spec().http()) {
                    for (HttpMatchRequest match : http.match()) {
                        if (match.port() != null) {
                            out.add(new HostPort(host, match.port()));
                        }
                    }
                }
            }
        }
        return out;
    }

    /** A virtual host's key, ordered by host then port. */
    private record HostPort(String host, int port) implements Comparable<HostPort> {
        private static final Comparator<HostPort> ORDER =
                Comparator.comparing(HostPort::host).thenComparingInt(HostPort::port);

        @Override
        public int compareTo(HostPort other) {
            return ORDER.compare(this, other);
        }
    }
}
