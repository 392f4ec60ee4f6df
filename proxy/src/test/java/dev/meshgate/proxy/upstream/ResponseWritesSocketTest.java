package dev.meshgate.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.web.server.WebServer;

import dev.meshgate.core.view.ClusterSpec;
import dev.meshgate.core.view.ConnectionPoolSpec;
import dev.meshgate.core.view.EndpointSpec;
import dev.meshgate.core.view.ListenerSpec;
import dev.meshgate.core.view.LoadBalancerSpec;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.view.RouteSpec;
import dev.meshgate.core.view.RouteSpec.WeightedCluster;
import dev.meshgate.core.view.TrafficPolicySpec;
import dev.meshgate.core.view.VirtualHostSpec;
import dev.meshgate.proxy.listener.ListenerServerFactory;
import dev.meshgate.proxy.route.MeshRouteTable;
import dev.meshgate.proxy.testapp.TestListenerBinding;
import dev.meshgate.proxy.testapp.TestProxyApplication;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import reactor.blockhound.BlockHound;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * How a relayed response reaches the client's socket: headers and a body that came whole in one write (one system
 * call, one TCP segment on loopback, as Envoy writes it), a body that comes in parts still relayed part by part as
 * it comes, and a client that does not read still holding the upstream back. Real sockets: a Reactor Netty backend,
 * the proxy, a raw socket client; the proxy's writes are counted at its end of the client's connection (a handler
 * next to the socket that sees what each flush hands the kernel).
 */
@SpringBootTest(classes = TestProxyApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.address=127.0.0.1", "spring.main.banner-mode=off"})
class ResponseWritesSocketTest {

    private static final byte[] KIB = "0123456789abcdef".repeat(64).getBytes(StandardCharsets.US_ASCII);
    private static final long LARGE = 64L * 1024 * 1024;
    private static final AtomicInteger versions = new AtomicInteger();

    private static DisposableServer backend;
    /** Completes the second half of {@code /parts}: released by the test once the client has the first. */
    private static volatile Sinks.Empty<Void> secondHalf = Sinks.empty();
    /** Bytes of {@code /large} the backend has handed to its connection so far. */
    private static final AtomicLong largeSent = new AtomicLong();

    /** The bytes of each write the proxy made on the listener's client connections, in order. */
    private final List<Integer> writes = new CopyOnWriteArrayList<>();

    @Autowired
    MeshRouteTable table;

    @Autowired
    TestListenerBinding binding;

    @Autowired
    ListenerServerFactory servers;

    private WebServer listener;

    @BeforeAll
    static void startBackend() {
        BlockHound.install();
        backend = HttpServer.create().host("127.0.0.1").port(0)
                .route(routes -> routes
                        .get("/whole", (req, res) -> res.header("content-length", "1024")
                                .sendByteArray(Mono.just(KIB)))
                        // Names the request it answers (method, target, body), in one write with its length.
                        .route(req -> req.uri().startsWith("/echo"), (req, res) -> req.receive().aggregate()
                                .asString().defaultIfEmpty("").flatMap(body -> {
                                    byte[] answer = (req.method().name() + " " + req.uri() + " " + body)
                                            .getBytes(StandardCharsets.US_ASCII);
                                    return res.header("content-length", Integer.toString(answer.length))
                                            .sendByteArray(Mono.just(answer)).then();
                                }))
                        .get("/parts", (req, res) -> res.header("content-length", "2048")
                                .sendByteArray(Flux.just(KIB).concatWith(secondHalf.asMono().thenReturn(KIB))))
                        .get("/large", (req, res) -> res.header("content-length", Long.toString(LARGE))
                                .send(Flux.range(0, (int) (LARGE / (16 * 1024))).map(i -> {
                                    largeSent.addAndGet(16 * 1024);
                                    return Unpooled.wrappedBuffer(KIB, KIB, KIB, KIB, KIB, KIB, KIB, KIB, KIB, KIB,
                                            KIB, KIB, KIB, KIB, KIB, KIB);
                                }))))
                .bindNow();
    }

    @AfterAll
    static void stopBackend() {
        backend.disposeNow();
    }

    @BeforeEach
    void setUp() throws Exception {
        listener = servers.start(InetAddress.getLoopbackAddress(), 0, List.of(server -> server.doOnChannelInit(
                (observer, channel, remote) -> channel.pipeline().addFirst("test.writes", new WriteCounter()))));
        binding.bind(listener.getPort(), "outbound");
        ClusterSpec cluster = new ClusterSpec("web", "web", 80, null, ClusterSpec.Discovery.STATIC,
                List.of(new EndpointSpec("127.0.0.1", backend.port(), Map.of(), 1, null, null)),
                new TrafficPolicySpec(LoadBalancerSpec.DEFAULT, ConnectionPoolSpec.DEFAULT, null));
        RouteSpec route = new RouteSpec("default.web.0", null, List.of(),
                new RouteSpec.RouteAction(List.of(new WeightedCluster("web", 100, null, null))), null, null, null,
                null, null, 0, null, null, List.of(), null);
        String v = "w" + versions.incrementAndGet();
        table.apply(new ProxyView(v, "s-" + v, List.of(new ListenerSpec("outbound", 0,
                ListenerSpec.Direction.OUTBOUND, List.of(new VirtualHostSpec("web", List.of("web"), List.of(route))))),
                List.of(cluster), ProxyView.OutboundTrafficPolicy.REGISTRY_ONLY));
    }

    @AfterEach
    void stopListener() {
        binding.unbind(listener.getPort());
        listener.stop();
    }

    @Test
    void headersAndABodyThatCameWholeGoOutInOneWrite() throws IOException {
        try (Socket socket = connect()) {
            for (int i = 0; i < 3; i++) {
                writes.clear();
                send(socket, "/whole");
                Response response = readResponse(socket.getInputStream());
                assertThat(response.head()).startsWith("HTTP/1.1 200");
                assertThat(response.body()).isEqualTo(KIB);
                // Every byte the client read was handed to the kernel before it could read it.
                assertThat(writes).as("the proxy's writes of response %d (bytes each)", i + 1)
                        .containsExactly(response.head().length() + KIB.length);
            }
        }
    }

    /**
     * Requests pipelined on one connection (GETs and POSTs with a body, the last asking to close it), each answered
     * in one write: every answer comes back, in order, and the connection closes after the last. A request handed
     * to Reactor Netty before the operations of the one before had ended (they end after a whole response's write,
     * later when that write came from the upstream's thread) was queued there and, asking to close, never answered.
     */
    @Test
    void pipelinedRequestsAnsweredInOneWriteEachComeBackInOrder() throws IOException {
        int count = 6;
        StringBuilder requests = new StringBuilder();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String close = i == count - 1 ? "Connection: close\r\n" : "";
            if (i % 2 == 0) {
                requests.append("GET /echo?i=").append(i).append(" HTTP/1.1\r\nHost: web\r\n").append(close)
                        .append("\r\n");
                expected.add("GET /echo?i=" + i + " ");
            } else {
                String body = "body-" + i;
                requests.append("POST /echo?i=").append(i).append(" HTTP/1.1\r\nHost: web\r\nContent-Length: ")
                        .append(body.length()).append("\r\n").append(close).append("\r\n").append(body);
                expected.add("POST /echo?i=" + i + " " + body);
            }
        }
        List<Integer> sizes = new ArrayList<>();
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            out.write(requests.toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            for (String answer : expected) {
                Response response = readResponse(in);
                assertThat(response.head()).startsWith("HTTP/1.1 200");
                assertThat(new String(response.body(), StandardCharsets.US_ASCII)).isEqualTo(answer);
                sizes.add(response.head().length() + response.body().length);
            }
            assertThat(in.read()).as("end of stream after the answer that closes").isEqualTo(-1);
        }
        assertThat(writes).as("the proxy's writes (bytes each)").containsExactlyElementsOf(sizes);
    }

    @Test
    void aBodyThatComesInPartsIsRelayedAsItComes() throws IOException {
        secondHalf = Sinks.empty();
        try (Socket socket = connect()) {
            send(socket, "/parts");
            InputStream in = socket.getInputStream();
            String head = readHead(in);
            assertThat(head).startsWith("HTTP/1.1 200").containsIgnoringCase("content-length: 2048");
            // The backend holds its second half until the client has the first: a proxy waiting for the whole body
            // would never answer (the socket's read times out).
            assertThat(in.readNBytes(KIB.length)).isEqualTo(KIB);
            secondHalf.tryEmitEmpty();
            assertThat(in.readNBytes(KIB.length)).isEqualTo(KIB);
        }
    }

    @Test
    void aClientThatDoesNotReadHoldsTheUpstreamBack() throws IOException {
        largeSent.set(0);
        try (Socket socket = new Socket()) {
            // A small window of the client's own, so that what stalls is the proxy, not a large client buffer.
            socket.setReceiveBufferSize(64 * 1024);
            socket.setSoTimeout(20_000);
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getPort()));
            send(socket, "/large");
            InputStream in = socket.getInputStream();
            assertThat(readHead(in)).startsWith("HTTP/1.1 200");
            // Nothing more is read: the backend's sending stalls once the socket buffers and the proxy's bounded
            // outbound buffer are full, far short of the body.
            long[] last = {-1};
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
                long now = largeSent.get();
                boolean stalled = now > 0 && now == last[0];
                last[0] = now;
                return stalled;
            });
            // Short of the body: a proxy that read on regardless would have taken all of it.
            assertThat(largeSent.get()).as("bytes the backend could send while the client read nothing")
                    .isLessThan(LARGE);
            long read = 0;
            byte[] buffer = new byte[64 * 1024];
            for (int n; read < LARGE && (n = in.read(buffer)) > 0;) {
                read += n;
            }
            assertThat(read).as("the whole body, once read").isEqualTo(LARGE);
        }
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), listener.getPort());
        socket.setSoTimeout(20_000);
        return socket;
    }

    private static void send(Socket socket, String path) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: web\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private record Response(String head, byte[] body) {
    }

    private static Response readResponse(InputStream in) throws IOException {
        String head = readHead(in);
        int length = -1;
        for (String line : head.split("\r\n")) {
            if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        assertThat(length).as("content-length of " + head).isNotNegative();
        return new Response(head, in.readNBytes(length));
    }

    /** The status line and headers, up to and with the blank line. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        byte[] end = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        while (head.size() < end.length || !Arrays.equals(Arrays.copyOfRange(head.toByteArray(), head.size() - 4,
                head.size()), end)) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed after " + head);
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    /** Next to the socket: the bytes each flush hands to the kernel (what a write or writev system call sends). */
    private final class WriteCounter extends ChannelOutboundHandlerAdapter {

        private int bytes;

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
            if (msg instanceof ByteBuf buf) {
                bytes += buf.readableBytes();
            } else if (msg instanceof ByteBufHolder holder) {
                bytes += holder.content().readableBytes();
            }
            ctx.write(msg, promise);
        }

        @Override
        public void flush(ChannelHandlerContext ctx) throws Exception {
            if (bytes > 0) {
                writes.add(bytes);
            }
            bytes = 0;
            ctx.flush();
        }
    }
}
