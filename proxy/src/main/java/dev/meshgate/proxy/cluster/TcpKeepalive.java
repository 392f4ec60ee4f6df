package dev.meshgate.proxy.cluster;

import dev.meshgate.core.view.ConnectionPoolSpec;

import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.uring.IoUringChannelOption;
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
     * Reactor Netty picks by default ({@link SocketTransport#DEFAULT}).
     */
    public static <T extends Transport<T, ?>> T apply(T client, ConnectionPoolSpec pool) {
        return apply(client, pool, SocketTransport.DEFAULT);
    }

    /**
     * As above, for a client that runs on {@code transport}: each transport takes the options under its own names
     * (NIO's through the JDK's extended socket options) and ignores, with a warning, the others'.
     */
    public static <T extends Transport<T, ?>> T apply(T client, ConnectionPoolSpec pool, SocketTransport transport) {
        ConnectionPoolSpec.TcpOptions.Keepalive keepalive = pool.keepalive();
        if (keepalive == null) {
            return client;
        }
        T out = client.option(ChannelOption.SO_KEEPALIVE, true);
        if (keepalive.probes() > 0) {
            out = out.option(switch (transport) {
                case IO_URING -> IoUringChannelOption.TCP_KEEPCNT;
                case EPOLL -> EpollChannelOption.TCP_KEEPCNT;
                case NIO -> NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPCOUNT);
            }, keepalive.probes());
        }
        if (keepalive.timeSeconds() > 0) {
            out = out.option(switch (transport) {
                case IO_URING -> IoUringChannelOption.TCP_KEEPIDLE;
                case EPOLL -> EpollChannelOption.TCP_KEEPIDLE;
                case NIO -> NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE);
            }, keepalive.timeSeconds());
        }
        if (keepalive.intervalSeconds() > 0) {
            out = out.option(switch (transport) {
                case IO_URING -> IoUringChannelOption.TCP_KEEPINTVL;
                case EPOLL -> EpollChannelOption.TCP_KEEPINTVL;
                case NIO -> NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPINTERVAL);
            }, keepalive.intervalSeconds());
        }
        return out;
    }
}
