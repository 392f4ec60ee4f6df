package dev.meshgate.proxy.route;

import static dev.meshgate.proxy.route.Views.cluster;
import static dev.meshgate.proxy.route.Views.endpoint;
import static dev.meshgate.proxy.route.Views.match;
import static dev.meshgate.proxy.route.Views.outbound;
import static dev.meshgate.proxy.route.Views.prefix;
import static dev.meshgate.proxy.route.Views.route;
import static dev.meshgate.proxy.route.Views.vhost;
import static dev.meshgate.proxy.route.Views.view;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import dev.meshgate.proxy.testapp.TestListenerBinding;
import dev.meshgate.proxy.testapp.TestProxyApplication;

import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * The proxy's HTTP edge against clients that misbehave, with raw bytes on a real socket: header limits, request
 * smuggling, invalid characters, slowloris, HTTP/1.0, {@code Expect: 100-continue}, pipelining.
 */
@SpringBootTest(classes = TestProxyApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.address=127.0.0.1", "spring.main.banner-mode=off",
                "meshgate.proxy.downstream.request-headers-timeout=1s"})
class HttpEdgeSocketTest {

    /** A backend that accepts headers as large as the proxy does, answers its name and records what it got. */
    private static DisposableServer backend;
    private static final List<String> received = new CopyOnWriteArrayList<>();
    private static final AtomicInteger versions = new AtomicInteger();

    @LocalServerPort
    int port;

    @Autowired
    MeshRouteTable table;

    @Autowired
    TestListenerBinding binding;

    @BeforeAll
    static void startBackend() {
        backend = HttpServer.create().host("127.0.0.1").port(0)
                .httpRequestDecoder(d -> d.maxHeaderSize(256 * 1024).maxInitialLineLength(256 * 1024))
                .route(routes -> routes
                        .ws("/ws", (in, out) -> out.sendString(in.receive().asString().map(m -> "echo " + m)))
                        .route(req -> true, (req, res) -> req.receive().aggregate().asString().defaultIfEmpty("")
                                .doOnNext(body -> received.add(req.method().name() + " " + req.uri() + " expect="
                                        + req.requestHeaders().get("expect") + " body=" + body))
                                .then(res.header("content-type", "text/plain")
                                        .sendString(Mono.just("backend" + req.uri())).then())))
                .bindNow();
    }

    @AfterAll
    static void stopBackend() {
        backend.disposeNow();
    }

    @BeforeEach
    void setUp() throws Exception {
        binding.bind(port, "outbound");
        table.apply(view("edge" + versions.incrementAndGet(),
                List.of(outbound(vhost("web", List.of("web", "web:80"),
                        route("r", "web", match().uri(prefix("/")))))),
                List.of(cluster("web", endpoint("127.0.0.1", backend.port())))));
        received.clear();
    }

    @Test
    void requestHeadersUpToEnvoysDefault60KiBAreProxied() throws IOException {
        String response = exchange("GET http://web/big HTTP/1.1\r\nHost: web\r\nx-big: " + "a".repeat(55 * 1024)
                + "\r\nConnection: close\r\n\r\n");
        assertThat(response).startsWith("HTTP/1.1 200").endsWith("backend/big");
    }

    @Test
    void aRequestLineLongerThanNettys4KiBButWithinTheHeaderLimitIsProxied() throws IOException {
        String path = "/long?q=" + "b".repeat(20 * 1024);
        String response = exchange("GET http://web" + path + " HTTP/1.1\r\nHost: web\r\nConnection: close\r\n\r\n");
        assertThat(response).startsWith("HTTP/1.1 200").endsWith("backend" + path);
    }

    @Test
    void requestHeadersOver60KiBAreAnswered431() throws IOException {
        String response = exchange("GET http://web/big HTTP/1.1\r\nHost: web\r\nx-big: " + "a".repeat(61 * 1024)
                + "\r\nConnection: close\r\n\r\n");
        assertThat(response).startsWith("HTTP/1.1 431");
        assertThat(received).isEmpty();
    }

    @Test
    void contentLengthWithTransferEncodingIsAnswered400AndNotForwarded() throws IOException {
        // RFC 9112 §6.1: the framing is ambiguous (request smuggling); Envoy rejects it, so does the proxy.
        String response = exchange("POST http://web/smuggle HTTP/1.1\r\nHost: web\r\nContent-Length: 4\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET http://web/smuggled HTTP/1.1\r\nHost: web\r\n"
                + "Connection: close\r\n\r\n");
        assertThat(response).startsWith("HTTP/1.1 400");
        assertThat(response).doesNotContain("backend/");
        assertThat(received).isEmpty();
    }

    @Test
    void invalidCharactersInAHeaderNameAreAnswered400() throws IOException {
        String response = exchange("GET http://web/ HTTP/1.1\r\nHost: web\r\nx-b(a)d: 1\r\nConnection: close\r\n\r\n");
        assertThat(response).startsWith("HTTP/1.1 400");
        assertThat(received).isEmpty();
    }

    @Test
    void aControlCharacterInAHeaderValueIsAnswered400() throws IOException {
        String response = exchange("GET http://web/ HTTP/1.1\r\nHost: web\r\nx-bad: a\u0001b\r\nConnection: close\r\n\r\n");
        assertThat(response).startsWith("HTTP/1.1 400");
        assertThat(received).isEmpty();
    }

    @Test
    void aClientTricklingHeadersSlowerThanTheRequestHeadersTimeoutIsDisconnected() throws Exception {
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            AtomicBoolean writing = new AtomicBoolean(true);
            Thread writer = new Thread(() -> {
                byte[] bytes = ("GET http://web/slow HTTP/1.1\r\nHost: web\r\nx-slow: " + "s".repeat(200))
                        .getBytes(StandardCharsets.US_ASCII);
                try {
                    // One byte every 50 ms: the headers would take over 12 s; the timeout is 1 s.
                    for (int i = 0; i < bytes.length && writing.get(); i++) {
                        out.write(bytes[i]);
                        out.flush();
                        Thread.sleep(50);
                    }
                } catch (IOException | InterruptedException e) {
                    // the proxy closed the connection
                }
            }, "slowloris");
            writer.start();
            long start = System.nanoTime();
            socket.setSoTimeout(8_000);
            assertThat(readToEnd(socket.getInputStream())).as("bytes the proxy sent before closing").isEmpty();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
            writing.set(false);
            writer.join(5_000);
        }
        assertThat(received).isEmpty();
    }

    @Test
    void anIdleKeepAliveConnectionBetweenRequestsIsNotTimedByTheRequestHeadersTimeout() throws Exception {
        try (Socket socket = connect()) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(ascii("GET http://web/first HTTP/1.1\r\nHost: web\r\n\r\n"));
            out.flush();
            assertThat(readResponse(socket.getInputStream())).startsWith("HTTP/1.1 200").endsWith("backend/first");
            // Longer than the 1 s headers timeout, but no request has started.
            Thread.sleep(1_500);
            out.write(ascii("GET http://web/second HTTP/1.1\r\nHost: web\r\nConnection: close\r\n\r\n"));
            out.flush();
            assertThat(readToEnd(socket.getInputStream())).startsWith("HTTP/1.1 200").endsWith("backend/second");
        }
    }

    @Test
    void aWebSocketQuietForLongerThanTheRequestHeadersTimeoutStaysOpen() {
        List<String> echoes = reactor.netty.http.client.HttpClient.create()
                .headers(h -> h.set("Host", "web"))
                .websocket()
                .uri("ws://127.0.0.1:" + port + "/ws")
                .handle((in, out) -> {
                    // The second message after 1.5 s: the connection carries frames, not request headers.
                    out.sendString(reactor.core.publisher.Flux.just("one", "two")
                            .delayElements(Duration.ofMillis(1_500))).then().subscribe();
                    return in.receive().asString().take(2);
                })
                .collectList()
                .block(Duration.ofSeconds(15));
        assertThat(echoes).containsExactly("echo one", "echo two");
    }

    @Test
    void http10RequestsAreProxiedAndTheConnectionClosedAfterTheResponse() throws IOException {
        // No Host header and no keep-alive: HTTP/1.0 as curl -0 sends it, in absolute form to the proxy.
        String response = exchange("GET http://web/ten HTTP/1.0\r\n\r\n");
        assertThat(response).matches("(?s)HTTP/1\\.[01] 200 .*").endsWith("backend/ten");
        assertThat(received).singleElement().asString().startsWith("GET /ten");
    }

    @Test
    void theAuthorityOfAnAbsoluteFormTargetOverridesTheHostHeader() throws IOException {
        // RFC 9112 §3.2.2: the request target's authority is the request's host; a differing Host is ignored.
        String response = exchange("GET http://web/abs HTTP/1.1\r\nHost: elsewhere.example\r\nConnection: close\r\n\r\n");
        assertThat(response).startsWith("HTTP/1.1 200").endsWith("backend/abs");
    }

    @Test
    void expect100ContinueIsAnsweredBeforeTheBodyIsSent() throws IOException {
        try (Socket socket = connect()) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(ascii("POST http://web/upload HTTP/1.1\r\nHost: web\r\nContent-Length: 5\r\n"
                    + "Expect: 100-continue\r\nConnection: close\r\n\r\n"));
            out.flush();
            InputStream in = socket.getInputStream();
            assertThat(readHead(in)).startsWith("HTTP/1.1 100");
            out.write(ascii("hello"));
            out.flush();
            assertThat(readToEnd(in)).startsWith("HTTP/1.1 200").endsWith("backend/upload");
        }
        assertThat(received).singleElement().asString().startsWith("POST /upload").endsWith("body=hello");
    }

    @Test
    void pipelinedRequestsAreAllAnsweredInOrder() throws IOException {
        StringBuilder requests = new StringBuilder();
        for (int i = 1; i <= 5; i++) {
            requests.append("GET http://web/p").append(i).append(" HTTP/1.1\r\nHost: web\r\n")
                    .append(i == 5 ? "Connection: close\r\n" : "").append("\r\n");
        }
        String responses = exchange(requests.toString());
        assertThat(responses.split("HTTP/1\\.1 200", -1)).as(responses).hasSize(6);
        int at = -1;
        for (int i = 1; i <= 5; i++) {
            int next = responses.indexOf("backend/p" + i, at + 1);
            assertThat(next).as("response to /p%d after position %d in %s", i, at, responses).isGreaterThan(at);
            at = next;
        }
    }

    @Test
    void aPipelinedPostAfterAGetIsAnsweredWithItsBody() throws IOException {
        String responses = exchange("GET http://web/first HTTP/1.1\r\nHost: web\r\n\r\n"
                + "POST http://web/second HTTP/1.1\r\nHost: web\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello");
        assertThat(responses.split("HTTP/1\\.1 200", -1)).as(responses).hasSize(3);
        assertThat(responses.indexOf("backend/first")).isLessThan(responses.indexOf("backend/second"));
        assertThat(received).last().asString().startsWith("POST /second").endsWith("body=hello");
    }

    private Socket connect() throws IOException {
        return new Socket("127.0.0.1", port);
    }

    /** Writes the bytes and reads until the proxy closes the connection. */
    private String exchange(String request) throws IOException {
        try (Socket socket = connect()) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return readToEnd(socket.getInputStream());
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String readToEnd(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = in.read(buf)) >= 0;) {
                bytes.write(buf, 0, n);
            }
        } catch (SocketException e) {
            // reset by the proxy after it answered: what was read counts
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the proxy neither answered in full nor closed within the socket timeout: "
                    + bytes.toString(StandardCharsets.ISO_8859_1), e);
        }
        return bytes.toString(StandardCharsets.ISO_8859_1);
    }

    /** Reads a response head, up to and including its empty line. */
    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        return head.toString();
    }

    /** Reads one response with a Content-Length from a connection that stays open. */
    private static String readResponse(InputStream in) throws IOException {
        String head = readHead(in);
        var m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
        assertThat(m.find()).as("content-length in %s", head).isTrue();
        byte[] body = in.readNBytes(Integer.parseInt(m.group(1)));
        return head + new String(body, StandardCharsets.ISO_8859_1);
    }
}
