package dev.meshgate.core.networking.virtualservice;

import java.util.List;

import dev.meshgate.core.networking.Immutable;

/** Istio's {@code TCPRoute}: routing of opaque TCP traffic. */
public record TcpRoute(List<L4MatchAttributes> match, List<RouteDestination> route) {

    public TcpRoute {
        match = Immutable.list(match);
        route = Immutable.list(route);
    }
}
