package dev.meshgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

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
import dev.meshgate.it.harness.JavaProcess;
import dev.meshgate.it.harness.Mesh;
import dev.meshgate.it.harness.MeshProxy;
import dev.meshgate.it.harness.Readiness;
import dev.meshgate.it.harness.Repository;
import dev.meshgate.it.harness.Sidecar;
import dev.meshgate.testing.FreePorts;

/**
 * A WebSocket through two real sidecars holding mesh certificates under a STRICT PeerAuthentication: a client speaks
 * to its sidecar's outbound port (Host {@code echo}), which upgrades to the echo workload's sidecar over ISTIO_MUTUAL
 * (its WorkloadEntry carries {@code security.istio.io/tlsMode: istio}), which upgrades to a WebSocket echo server
 * (Netty's WebSocket codec, from grpc-java's shaded Netty). The client writes the handshake and frames itself, so
 * that it can name the service in Host as an app behind a sidecar does.
 */
@ExtendWith(DumpLogsOnFailure.class)
class WebSocketMutualTlsIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static EventLoopGroup group;
    private static Channel server;
    private static Mesh mesh;
    private static Sidecar echoSidecar;
    private static Sidecar client;

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
        Path logs = Repository.logDirectory(WebSocketMutualTlsIT.class);
        mesh = Mesh.builder(WebSocketMutualTlsIT.class)
                .controlPlaneProperty("meshgate.control-plane.ca-dir", logs.resolve("ca").toString())
                .start();
        int inbound = FreePorts.next();
        mesh.config().write("echo.yaml", """
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: echo, namespace: default}
                spec:
                  hosts: [echo.default.svc.cluster.local]
                  location: MESH_INTERNAL
                  resolution: STATIC
                  ports:
                  - {number: 80, name: http, protocol: HTTP}
                  workloadSelector:
                    labels: {app: echo}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: echo-v1, namespace: default}
                spec:
                  address: 127.0.0.1
                  ports: {http: %d}
                  serviceAccount: echo
                  labels: {app: echo, version: v1, security.istio.io/tlsMode: istio}
                ---
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata: {name: default, namespace: default}
                spec: {mtls: {mode: STRICT}}
                """.formatted(inbound));
        echoSidecar = Sidecar.startServer("echo-v1", Map.of("app", "echo", "version", "v1"), inbound, appPort, 0,
                mesh.controlPlane(), logs, credentials(logs, "echo-v1", "echo"));
        client = Sidecar.startClient("client", Map.of("app", "client"), mesh.controlPlane(), logs,
                credentials(logs, "client", "client"));
        echoSidecar.awaitReady();
        client.awaitReady();
        Readiness.waitUpTo(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> exchange("warm-up").equals("echo:warm-up"));
    }

    /** The arguments of a sidecar joining with credentials {@code meshctl workload credential} wrote for it. */
    private static List<String> credentials(Path logs, String name, String serviceAccount) {
        Path directory = logs.resolve("credentials/" + name);
        JavaProcess meshctl = JavaProcess.start("meshctl-" + name, Repository.meshctlJar(), List.of("workload",
                "credential", name + "." + MeshProxy.NAMESPACE, "--service-account", serviceAccount, "-o",
                directory.toString(), "--control-plane", mesh.controlPlane().discoveryAddress()), logs);
        assertThat(meshctl.exitCode(Duration.ofSeconds(60))).as(meshctl.tail(20)).isZero();
        return List.of("--meshgate.proxy.service-account=" + serviceAccount,
                "--meshgate.proxy.credentials=" + directory);
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable process : new AutoCloseable[] {client, echoSidecar, mesh}) {
            try {
                if (process != null) {
                    process.close();
                }
            } catch (Exception e) {
                // best effort
            }
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
        try (Socket socket = new Socket("127.0.0.1", client.outboundPort())) {
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
        Readiness.waitUpTo(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(HTTP.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + echoSidecar.adminPort() + "/stats/prometheus"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body().lines()
                .filter(line -> line.startsWith("istio_requests_total{") && line.contains("reporter=\"destination\"")))
                .anySatisfy(line -> assertThat(line)
                        .contains("response_code=\"101\"")
                        .contains("connection_security_policy=\"mutual_tls\"")
                        .contains("source_principal=\"spiffe://cluster.local/ns/default/sa/client\"")));
    }
}
