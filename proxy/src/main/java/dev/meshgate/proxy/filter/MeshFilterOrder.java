package dev.meshgate.proxy.filter;

import org.springframework.cloud.gateway.filter.RouteToRequestUrlFilter;

/**
 * Where mesh filters sit among Spring Cloud Gateway's global filters. Route filters that change the request run
 * before {@link RouteToRequestUrlFilter} (10000); the mesh router (the upstream filter) runs where Spring Cloud
 * Gateway's load-balancer filter would (10150), and sends mesh requests itself: for them the Netty routing filter
 * never runs.
 */
public final class MeshFilterOrder {

    /** Catches upstream connect errors; wraps everything after it, including the Netty routing filter. */
    public static final int UPSTREAM_FAILURE = -2;
    /**
     * CORS: answers preflights and adds CORS headers to responses. First, as Envoy's CORS filter comes before its
     * fault filter: a preflight is never delayed or aborted.
     */
    public static final int CORS = 800;
    /** Fault injection (delay, abort), before anything that forwards: an aborted request is neither mirrored nor retried. */
    public static final int FAULT = 900;
    /** Request and response header operations of a route that answers itself (redirect, direct response). */
    public static final int ROUTE_HEADERS = 1000;
    /**
     * Weighted destination choice, with the route's and the destination's header operations (Envoy evaluates them
     * together, before the path and authority rewrite; a route has this filter or {@link #ROUTE_HEADERS}).
     */
    public static final int DESTINATION = 1050;
    /** gRPC-Web to gRPC, once the destination (whose port may be gRPC-Web's) is chosen. */
    public static final int GRPC_WEB = 1060;
    /** Path and authority rewrite. */
    public static final int REWRITE = 1100;
    /** Mirroring: after every change to the request (headers, rewrite, destination headers), as Envoy's router shadows the final request. */
    public static final int MIRROR = 1300;
    /** Redirects, direct responses and other local answers. */
    public static final int ANSWER = 1500;
    /** The mesh router (sends a route's cluster requests upstream), and the pass-through of unknown hosts. */
    public static final int CLUSTER = RouteToRequestUrlFilter.ROUTE_TO_URL_FILTER_ORDER + 150;

    private MeshFilterOrder() {
    }
}
