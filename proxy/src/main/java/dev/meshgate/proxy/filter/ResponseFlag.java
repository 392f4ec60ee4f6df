package dev.meshgate.proxy.filter;

/** Envoy's response flags for responses the proxy makes itself (docs/protocol.md). */
public enum ResponseFlag {
    /** No route: no virtual host for the authority, or no route matched within it. */
    NR,
    /** No healthy upstream: the cluster has no endpoint, or outlier detection ejected every one. */
    UH,
    /** Upstream connection failure. */
    UF,
    /** Upstream connection termination before a response. */
    UC,
    /** Upstream request timeout. */
    UT,
    /** No cluster: a route names a cluster the view does not have. */
    NC,
    /** Upstream overflow: a connection-pool limit (connections, pending or in-flight requests) was reached. */
    UO,
    /** The request was aborted by fault injection. */
    FI,
    /** The request was delayed by fault injection (set with the upstream's own answer). */
    DI,
    /** The request failed after its retries ran out (set with the last try's flag). */
    URX
}
