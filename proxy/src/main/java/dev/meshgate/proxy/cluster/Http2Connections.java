package dev.meshgate.proxy.cluster;

import java.time.Duration;
import java.util.function.Consumer;

import javax.net.ssl.SSLException;

import io.netty.channel.ChannelOption;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolConfig.Protocol;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.Http2AllocationStrategy;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import dev.meshgate.core.view.ConnectionPoolSpec;

/**
 * The HTTP/2 side of a cluster's connection pool: an h2c (prior knowledge) client whose pool holds, per endpoint,
 * up to {@code tcp.maxConnections} connections, each carrying many requests at once, up to
 * {@code http.maxConcurrentStreams} streams (or what the endpoint's SETTINGS allow), as Envoy's HTTP/2 connection
 * pools do. A new connection opens only when every open one is at its stream limit. Over TLS
 * ({@link #overTls}) the same pool holds h2 connections negotiated by ALPN, kept apart from the h2c ones by
 * Reactor Netty's pool key (the client's protocol and TLS configuration).
 *
 * @param provider the connections, to be disposed with the cluster
 * @param client the client bound to them
 */
record Http2Connections(ConnectionProvider provider, HttpClient client) {

    /** ALPN of an HTTP/2 client: h2 only, as Envoy offers for an upstream that speaks HTTP/2 alone. */
    private static final ApplicationProtocolConfig ALPN_H2 = new ApplicationProtocolConfig(Protocol.ALPN,
            SelectorFailureBehavior.NO_ADVERTISE, SelectedListenerFailureBehavior.ACCEPT,
            ApplicationProtocolNames.HTTP_2);

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
        if (spec.maxConnectionDurationMillis() > 0) {
            builder.maxLifeTime(Duration.ofMillis(spec.maxConnectionDurationMillis()));
        }
        ConnectionProvider provider = builder.build();
        HttpClient client = TcpKeepalive.apply(HttpClient.create(provider)
                .protocol(HttpProtocol.H2C)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
                        (int) Math.min(Integer.MAX_VALUE, spec.connectTimeoutMillis()))
                .option(ChannelOption.TCP_NODELAY, true), spec);
        return new Http2Connections(provider, client);
    }

    /**
     * HTTP/2 over TLS on these connections: {@code context} (the caller's keys and trust) offering ALPN {@code h2},
     * each connection's TLS handler given to {@code handler} (server name, handshake outcome) before it starts.
     */
    /** {@code builder} offering ALPN {@code h2} alone. */
    static SslContextBuilder alpnH2(SslContextBuilder builder) {
        return builder.applicationProtocolConfig(ALPN_H2);
    }

    /** The client over TLS with {@code context}, built with {@link #alpnH2}. */
    HttpClient overTls(SslContext context, Consumer<SslHandler> handler) {
        return client.protocol(HttpProtocol.H2).secure(spec -> spec.sslContext(context).handlerConfigurator(handler));
    }

    HttpClient overTls(SslContextBuilder context, Consumer<SslHandler> handler) throws SSLException {
        var sslContext = context.applicationProtocolConfig(ALPN_H2).build();
        return client.protocol(HttpProtocol.H2)
                .secure(spec -> spec.sslContext(sslContext).handlerConfigurator(handler));
    }
}
