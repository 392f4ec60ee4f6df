package dev.meshgate.proxy.cluster;

import dev.meshgate.core.view.ConnectionPoolSpec;

import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.nio.NioChannelOption;
import jdk.net.ExtendedSocketOptions;
import reactor.netty.transport.Transport;

/**
 * Implements {@code connectionPool.tcp.tcpKeepalive} on a cluster's upstream connections, as Envoy's
 * {@code upstream_connection_options.tcp_keepalive}: SO_KEEPALIVE, and the probe count, idle time and interval
 * that are set ({@code TCP_KEEPCNT}, {@code TCP_KEEPIDLE}, {@code TCP_KEEPINTVL}); those unset keep the
 * operating system's.
 */
public final class TcpKeepalive {

    private TcpKeepalive() {
    }

    /**
     * {@code client} with the keepalive options of {@code pool}; unchanged when it sets none. For the transport
     * Reactor Netty picks by default: epoll where its native library is (the sidecar), else NIO.
     */
    public static <T extends Transport<T, ?>> T apply(T client, ConnectionPoolSpec pool) {
        return apply(client, pool, Epoll.isAvailable());
    }

    /**
     * As above, for a client that runs on epoll ({@code epoll}) or on NIO, whose sockets take the same options
     * through the JDK's extended socket options.
     */
    public static <T extends Transport<T, ?>> T apply(T client, ConnectionPoolSpec pool, boolean epoll) {
        ConnectionPoolSpec.TcpOptions.Keepalive keepalive = pool.keepalive();
        if (keepalive == null) {
            return client;
        }
        T out = client.option(ChannelOption.SO_KEEPALIVE, true);
        if (keepalive.probes() > 0) {
            out = out.option(epoll ? EpollChannelOption.TCP_KEEPCNT
                    : NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPCOUNT), keepalive.probes());
        }
        if (keepalive.timeSeconds() > 0) {
            out = out.option(epoll ? EpollChannelOption.TCP_KEEPIDLE
                    : NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE), keepalive.timeSeconds());
        }
        if (keepalive.intervalSeconds() > 0) {
            out = out.option(epoll ? EpollChannelOption.TCP_KEEPINTVL
                    : NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPINTERVAL), keepalive.intervalSeconds());
        }
        return out;
    }
}
