package dev.meshgate.proxy.filter;

/** Envoy's response flags for responses the proxy makes itself (docs/protocol.md). */
public enum ResponseFlag {
    /** No route: no virtual host for the authority, or no route matched within it. */
    NR,
    /** No healthy upstream: the cluster has no endpoint. */
    UH,
    /** Upstream connection failure. */
    UF,
    /** Upstream connection termination before a response. */
    UC,
    /** Upstream request timeout. */
    UT,
    /** No cluster: a route names a cluster the view does not have. */
    NC
}
