package dev.meshgate.core.networking.virtualservice;

import java.util.List;

import dev.meshgate.core.networking.Immutable;

/** Istio's {@code TLSRoute}: routing of TLS/HTTPS passthrough traffic by SNI. */
public record TlsRoute(List<TlsMatchAttributes> match, List<RouteDestination> route) {

    public TlsRoute {
        match = Immutable.list(match);
        route = Immutable.list(route);
    }
}
