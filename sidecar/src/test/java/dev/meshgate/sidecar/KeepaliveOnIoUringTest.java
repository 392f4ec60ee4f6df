package dev.meshgate.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import dev.meshgate.core.view.ConnectionPoolSpec;
import dev.meshgate.proxy.cluster.SocketTransport;
import dev.meshgate.proxy.cluster.TcpKeepalive;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringSocketChannel;
import org.junit.jupiter.api.Test;
import reactor.netty.Connection;
import reactor.netty.DisposableServer;
import reactor.netty.tcp.TcpClient;
import reactor.netty.tcp.TcpServer;

/**
 * {@code connectionPool.tcp.tcpKeepalive} on the sidecar's transport: io_uring where the kernel allows it, whose
 * sockets take the options under io_uring's names (epoll's and NIO's would be ignored with a warning).
 */
class KeepaliveOnIoUringTest {

    @Test
    void tcpKeepaliveSetsTheSocketOptionsOfTheDefaultTransportsConnections() {
        DisposableServer server = TcpServer.create().host("127.0.0.1").port(0).bindNow();
        ConnectionPoolSpec d = ConnectionPoolSpec.DEFAULT;
        ConnectionPoolSpec spec = new ConnectionPoolSpec(d.maxConnections(), d.connectTimeoutMillis(),
                d.http1MaxPendingRequests(), d.http2MaxRequests(), 0, d.maxRetries(), d.idleTimeoutMillis(), null,
                new ConnectionPoolSpec.TcpOptions(new ConnectionPoolSpec.TcpOptions.Keepalive(4, 600, 2), 0));
        Connection connection = TcpKeepalive.apply(TcpClient.newConnection().host("127.0.0.1").port(server.port()),
                spec).connectNow(Duration.ofSeconds(30));
        try {
            Channel channel = connection.channel();
            assertThat(SocketTransport.DEFAULT).isEqualTo(
                    IoUring.isAvailable() ? SocketTransport.IO_URING : SocketTransport.EPOLL);
            assertThat(SocketTransport.of(channel)).isEqualTo(SocketTransport.DEFAULT);
            assertThat(channel.config().getOption(ChannelOption.SO_KEEPALIVE)).isTrue();
            if (channel instanceof IoUringSocketChannel) {
                assertThat(channel.config().getOption(IoUringChannelOption.TCP_KEEPIDLE)).isEqualTo(600);
                assertThat(channel.config().getOption(IoUringChannelOption.TCP_KEEPINTVL)).isEqualTo(2);
                assertThat(channel.config().getOption(IoUringChannelOption.TCP_KEEPCNT)).isEqualTo(4);
            }
        } finally {
            connection.disposeNow();
            server.disposeNow();
        }
    }
}
