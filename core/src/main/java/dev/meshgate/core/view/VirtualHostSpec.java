package dev.meshgate.core.view;

import java.util.List;

/**
 * A set of domains and the ordered routes that serve them (first match wins, as in Istio).
 *
 * @param name stable, e.g. {@code reviews.default.svc.cluster.local:9080}
 * @param domains lower-case authorities this virtual host answers, with and without port, in Envoy's forms:
 *     exact ({@code reviews}, {@code reviews:9080}, {@code reviews.default.svc.cluster.local:9080}), a
 *     leading wildcard ({@code *.example.com}), or {@code *} alone. For port 80 (or the gateway server's
 *     port) the form without port is listed too.
 * @param routes in {@code http:} order
 */
public record VirtualHostSpec(String name, List<String> domains, List<RouteSpec> routes) {

    public VirtualHostSpec {
        domains = domains == null ? List.of() : List.copyOf(domains);
        routes = routes == null ? List.of() : List.copyOf(routes);
    }
}
