package dev.meshgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.grpc.netty.shaded.io.netty.bootstrap.ServerBootstrap;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInitializer;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.SimpleChannelInboundHandler;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.SocketChannel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpObjectAggregator;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpServerCodec;
import io.grpc.netty.shaded.io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;

import dev.meshgate.it.harness.DumpLogsOnFailure;
import dev.meshgate.it.harness.MutualTlsMesh;
import dev.meshgate.it.harness.Readiness;

/**
 * A WebSocket through two real sidecars holding mesh certificates under a STRICT PeerAuthentication: a client speaks
 * to its sidecar's outbound port (Host {@code echo}), which upgrades to the echo workload's sidecar over ISTIO_MUTUAL
 * (its WorkloadEntry carries {@code security.istio.io/tlsMode: istio}), which upgrades to a WebSocket echo server
 * (Netty's WebSocket codec, from grpc-java's shaded Netty). The client writes the handshake and frames itself, so
 * that it can name the service in Host as an app behind a sidecar does.
 */
@ExtendWith(DumpLogsOnFailure.class)
class WebSocketMutualTlsIT {

    private static EventLoopGroup group;
    private static Channel server;
    private static MutualTlsMesh scene;

    @BeforeAll
    static void startMesh() throws Exception {
        group = new NioEventLoopGroup(1);
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536),
                                new WebSocketServerProtocolHandler("/echo"),
                                new SimpleChannelInboundHandler<TextWebSocketFrame>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
                                        ctx.writeAndFlush(new TextWebSocketFrame("echo:" + frame.text()));
                                    }
                                });
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
        int appPort = ((java.net.InetSocketAddress) server.localAddress()).getPort();
        scene = MutualTlsMesh.strictEcho(WebSocketMutualTlsIT.class, "http", "HTTP", appPort);
        Readiness.waitUpTo(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> exchange("warm-up").equals("echo:warm-up"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (scene != null) {
            scene.close();
        }
        if (server != null) {
            server.close().sync();
        }
        if (group != null) {
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
        }
    }

    /**
     * Opens a WebSocket to {@code echo} through the client sidecar, sends {@code text} in one masked frame and
     * returns the text of the first frame received; the connection is closed after.
     */
    private static String exchange(String text) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", scene.client().outboundPort())) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            out.write(("GET /echo HTTP/1.1\r\nHost: echo\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String head = readHead(in);
            assertThat(head).startsWith("HTTP/1.1 101");
            // RFC 6455's example key and its accept value: the server's handshake reached the client.
            assertThat(head.toLowerCase()).contains("sec-websocket-accept: s3pplmbitxaq9kygzzhzrbk+xoo=");
            byte[] payload = text.getBytes(StandardCharsets.UTF_8);
            byte[] mask = {1, 2, 3, 4};
            ByteArrayOutputStream frame = new ByteArrayOutputStream();
            frame.write(0x81);
            frame.write(0x80 | payload.length);
            frame.writeBytes(mask);
            for (int i = 0; i < payload.length; i++) {
                frame.write(payload[i] ^ mask[i % 4]);
            }
            out.write(frame.toByteArray());
            out.flush();
            int opcode = in.readUnsignedByte();
            assertThat(opcode).as("a final text frame").isEqualTo(0x81);
            int length = in.readUnsignedByte();
            assertThat(length).as("an unmasked short frame").isLessThan(126);
            byte[] reply = in.readNBytes(length);
            return new String(reply, StandardCharsets.UTF_8);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    @Test
    void webSocketCrossesTwoSidecarsOverStrictMutualTls() throws Exception {
        assertThat(exchange("hello")).isEqualTo("echo:hello");
        // The server sidecar saw the upgrade from the client's mesh identity, over mutual TLS (recorded when the
        // connection ends).
        Readiness.waitUpTo(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(scene.echoDestinationRequests())
                .anySatisfy(line -> assertThat(line)
                        .contains("response_code=\"101\"")
                        .contains("connection_security_policy=\"mutual_tls\"")
                        .contains("source_principal=\"spiffe://cluster.local/ns/default/sa/client\"")));
    }
}
