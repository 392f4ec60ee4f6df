package dev.meshgate.proxy.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import dev.meshgate.core.view.ConnectionPoolSpec;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioSocketChannel;
import jdk.net.ExtendedSocketOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.tcp.TcpClient;
import reactor.netty.tcp.TcpResources;

/**
 * {@code connectionPool.tcp.tcpKeepalive} and {@code maxConnectionDuration} on a cluster's real upstream
 * connections to a loopback server: the socket options read back from the connected channel; a connection older
 * than the duration closed and replaced.
 */
class UpstreamTcpOptionsSocketTest {

    /** Client ports of the connections the server has open. */
    private final Set<Integer> open = ConcurrentHashMap.newKeySet();
    private final DisposableServer server = HttpServer.create().host("127.0.0.1").port(0)
            .doOnConnection(connection -> {
                int port = ((InetSocketAddress) connection.channel().remoteAddress()).getPort();
                open.add(port);
                connection.onDispose(() -> open.remove(port));
            })
            .handle((request, response) -> response.sendString(Mono.just(
                    String.valueOf(((InetSocketAddress) request.remoteAddress()).getPort()))))
            .bindNow();
    private ClusterConnectionPool pool;

    @AfterEach
    void stop() {
        if (pool != null) {
            pool.dispose();
        }
        server.disposeNow();
    }

    private static ConnectionPoolSpec spec(ConnectionPoolSpec.TcpOptions tcp) {
        ConnectionPoolSpec d = ConnectionPoolSpec.DEFAULT;
        return new ConnectionPoolSpec(d.maxConnections(), d.connectTimeoutMillis(), d.http1MaxPendingRequests(),
                d.http2MaxRequests(), 0, d.maxRetries(), d.idleTimeoutMillis(), null, tcp);
    }

    /** One request; the client port of the connection it went on, and that connection's channel. */
    private int get(AtomicReference<Channel> channel) {
        String port = pool.client().doOnConnected(c -> channel.set(c.channel()))
                .get().uri("http://127.0.0.1:" + server.port() + "/").responseContent().aggregate().asString()
                .block(Duration.ofSeconds(30));
        return Integer.parseInt(port);
    }

    @Test
    void tcpKeepaliveSetsTheSocketOptionsOfUpstreamConnections() {
        assertThat(Epoll.isAvailable()).as("the proxies run on Linux with epoll").isTrue();
        pool = new ClusterConnectionPool("outbound|80||keepalive", spec(new ConnectionPoolSpec.TcpOptions(
                new ConnectionPoolSpec.TcpOptions.Keepalive(4, 600, 2), 0)));
        AtomicReference<Channel> channel = new AtomicReference<>();
        get(channel);

        assertThat(channel.get().config().getOption(ChannelOption.SO_KEEPALIVE)).isTrue();
        assertThat(channel.get().config().getOption(EpollChannelOption.TCP_KEEPIDLE)).isEqualTo(600);
        assertThat(channel.get().config().getOption(EpollChannelOption.TCP_KEEPINTVL)).isEqualTo(2);
        assertThat(channel.get().config().getOption(EpollChannelOption.TCP_KEEPCNT)).isEqualTo(4);
    }

    /** The TCP proxy's upstream connections run on NIO (TcpProxyListener): the same options, the JDK's names. */
    @Test
    void tcpKeepaliveSetsTheSocketOptionsOfNioConnections() {
        ConnectionPoolSpec spec = spec(new ConnectionPoolSpec.TcpOptions(
                new ConnectionPoolSpec.TcpOptions.Keepalive(4, 600, 2), 0));
        Connection connection = TcpKeepalive.apply(TcpClient.newConnection().runOn(TcpResources.get(), false)
                .host("127.0.0.1").port(server.port()), spec, SocketTransport.NIO).connectNow(Duration.ofSeconds(30));
        try {
            Channel channel = connection.channel();
            assertThat(channel).isInstanceOf(NioSocketChannel.class);
            assertThat(channel.config().getOption(ChannelOption.SO_KEEPALIVE)).isTrue();
            assertThat(channel.config().getOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE)))
                    .isEqualTo(600);
            assertThat(channel.config().getOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPINTERVAL)))
                    .isEqualTo(2);
            assertThat(channel.config().getOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPCOUNT)))
                    .isEqualTo(4);
        } finally {
            connection.disposeNow();
        }
    }

    @Test
    void withoutTcpKeepaliveUpstreamConnectionsSendNoProbes() {
        pool = new ClusterConnectionPool("outbound|80||plain", ConnectionPoolSpec.DEFAULT);
        AtomicReference<Channel> channel = new AtomicReference<>();
        get(channel);

        assertThat(channel.get().config().getOption(ChannelOption.SO_KEEPALIVE)).isFalse();
    }

    @Test
    void aConnectionOlderThanMaxConnectionDurationIsClosedAndReplaced() {
        pool = new ClusterConnectionPool("outbound|80||aging", spec(new ConnectionPoolSpec.TcpOptions(null, 500)));
        AtomicReference<Channel> channel = new AtomicReference<>();
        int first = get(channel);

        // closed once older than 500 ms, idle in the pool, without another request (the default pool keeps an idle
        // connection for an hour)
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(open).doesNotContain(first));
        assertThat(get(channel)).isNotEqualTo(first);
    }
}
