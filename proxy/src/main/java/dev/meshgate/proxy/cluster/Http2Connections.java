package dev.meshgate.proxy.cluster;

import java.time.Duration;

import io.netty.channel.ChannelOption;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.Http2AllocationStrategy;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import dev.meshgate.core.view.ConnectionPoolSpec;

/**
 * The HTTP/2 side of a cluster's connection pool: an h2c (prior knowledge) client whose pool holds, per endpoint,
 * up to {@code tcp.maxConnections} connections, each carrying many requests at once, up to
 * {@code http.maxConcurrentStreams} streams (or what the endpoint's SETTINGS allow), as Envoy's HTTP/2 connection
 * pools do. A new connection opens only when every open one is at its stream limit.
 *
 * @param provider the connections, to be disposed with the cluster
 * @param client the client bound to them
 */
record Http2Connections(ConnectionProvider provider, HttpClient client) {

    /** Connections per endpoint when the cluster is unlimited: HTTP/2 needs few, one is the common case. */
    private static final int UNLIMITED_CONNECTIONS = 1_000;

    static Http2Connections of(String clusterName, ConnectionPoolSpec spec) {
        Http2AllocationStrategy.Builder strategy = Http2AllocationStrategy.builder()
                .minConnections(1)
                .maxConnections(Math.min(spec.maxConnections(), UNLIMITED_CONNECTIONS));
        if (spec.maxConcurrentStreams() > 0) {
            strategy.maxConcurrentStreams(spec.maxConcurrentStreams());
        }
        ConnectionProvider.Builder builder = ConnectionProvider.builder("meshgate-h2|" + clusterName)
                .allocationStrategy(strategy.build())
                .pendingAcquireMaxCount(-1)
                .pendingAcquireTimeout(Duration.ofDays(1))
                .maxIdleTime(Duration.ofMillis(spec.idleTimeoutMillis() == 0 ? Long.MAX_VALUE / 2
                        : spec.idleTimeoutMillis()));
        ConnectionProvider provider = builder.build();
        HttpClient client = HttpClient.create(provider)
                .protocol(HttpProtocol.H2C)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
                        (int) Math.min(Integer.MAX_VALUE, spec.connectTimeoutMillis()))
                .option(ChannelOption.TCP_NODELAY, true);
        return new Http2Connections(provider, client);
    }
}
