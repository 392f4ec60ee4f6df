package dev.meshgate.proxy.filter;

/** Names of the exchange attributes mesh routing passes between the handler mapping and its filters. */
public final class MeshExchangeAttributes {

    /** The {@link dev.meshgate.proxy.cluster.ClusterRuntime} a route's destination choice picked. */
    public static final String CLUSTER = "meshgate.cluster";

    /** The {@link dev.meshgate.proxy.loadbalancer.LbEndpoint} the request was sent to. */
    public static final String ENDPOINT = "meshgate.endpoint";

    /** The uri prefix of the match that selected the route, when it was a prefix match (for rewrite). */
    public static final String MATCHED_URI_PREFIX = "meshgate.matchedUriPrefix";

    /** The request's {@code x-request-id}, set (generated when absent) as the upstream request is sent. */
    public static final String REQUEST_ID = "meshgate.requestId";

    private MeshExchangeAttributes() {
    }
}
