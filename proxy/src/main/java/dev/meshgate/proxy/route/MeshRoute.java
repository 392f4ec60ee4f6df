package dev.meshgate.proxy.route;

import org.springframework.cloud.gateway.route.Route;

import dev.meshgate.proxy.predicate.RouteMatcher;

/**
 * One compiled {@code RouteSpec}: the Spring Cloud Gateway route that serves it and the synchronous matcher the
 * handler mapping evaluates (the route's {@code AsyncPredicate} wraps the same matcher).
 */
record MeshRoute(Route route, RouteMatcher matcher) {
}
