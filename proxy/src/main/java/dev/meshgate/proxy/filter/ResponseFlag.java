package dev.meshgate.proxy.filter;

/**
 * Envoy's response flags for what the proxy does itself, declared in the order Envoy prints them
 * ({@code UF,URX}, {@code DI,FI}): {@link dev.meshgate.proxy.stream.ResponseFlags} relies on it.
 */
public enum ResponseFlag {
    /** No healthy upstream: the cluster has no endpoint, or outlier detection ejected every one. */
    UH,
    /** Upstream request timeout. */
    UT,
    /** Upstream connection failure. */
    UF,
    /** Upstream connection termination before a response. */
    UC,
    /** Upstream overflow: a connection-pool limit (connections, pending or in-flight requests) was reached. */
    UO,
    /** No route: no virtual host for the authority, or no route matched within it. */
    NR,
    /** The request was delayed by fault injection (set with the upstream's own answer). */
    DI,
    /** The request was aborted by fault injection. */
    FI,
    /** Downstream connection termination: the client went away before the response was done. */
    DC,
    /** The request failed after its retries ran out (set with the last try's flag). */
    URX,
    /** No cluster: a route names a cluster the view does not have. */
    NC
}
