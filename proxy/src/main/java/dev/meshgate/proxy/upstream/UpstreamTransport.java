package dev.meshgate.proxy.upstream;

import dev.meshgate.proxy.cluster.ClusterRuntime;
import dev.meshgate.proxy.loadbalancer.LbEndpoint;

import org.jspecify.annotations.Nullable;

import reactor.netty.http.client.HttpClient;

/**
 * How a try reaches its endpoint: over TLS (mutual TLS between sidecars, DestinationRule {@code tls}) with the client
 * this returns, or in plaintext over the cluster's pool client when it returns null.
 */
@FunctionalInterface
public interface UpstreamTransport {

    /** Every try in plaintext. */
    UpstreamTransport PLAINTEXT = (cluster, endpoint, downstreamHttp2) -> null;

    /**
     * The TLS client for a try to {@code endpoint} of {@code cluster}; null for plaintext. It speaks HTTP/2 (ALPN
     * {@code h2}) where the cluster's pool would speak HTTP/2 in plaintext for a request that came in over HTTP/2
     * or not ({@code downstreamHttp2}), HTTP/1.1 otherwise.
     */
    @Nullable HttpClient tlsClient(ClusterRuntime cluster, LbEndpoint endpoint, boolean downstreamHttp2);
}
