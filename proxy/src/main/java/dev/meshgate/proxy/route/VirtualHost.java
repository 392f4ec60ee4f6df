package dev.meshgate.proxy.route;

import java.util.List;

import org.springframework.cloud.gateway.route.Route;

/** A compiled virtual host: its routes in order (first match wins) and the route answering when none matches. */
record VirtualHost(String name, List<MeshRoute> routes, Route noRoute) {
}
