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
    UpstreamTransport PLAINTEXT = (cluster, endpoint) -> null;

    /** The TLS client for a try to {@code endpoint} of {@code cluster}; null for plaintext. */
    @Nullable HttpClient tlsClient(ClusterRuntime cluster, LbEndpoint endpoint);
}
