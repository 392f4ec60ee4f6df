package dev.meshgate.proxy.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import reactor.blockhound.BlockHound;

import dev.meshgate.core.view.ClusterSpec;
import dev.meshgate.core.view.ClusterSpec.UpstreamProtocol;
import dev.meshgate.core.view.ConnectionPoolSpec;
import dev.meshgate.core.view.EndpointSpec;
import dev.meshgate.core.view.FaultSpec;
import dev.meshgate.core.view.ListenerSpec;
import dev.meshgate.core.view.LoadBalancerSpec;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.view.RouteSpec;
import dev.meshgate.core.view.RouteSpec.WeightedCluster;
import dev.meshgate.core.view.TrafficPolicySpec;
import dev.meshgate.core.view.VirtualHostSpec;
import dev.meshgate.proxy.route.MeshRouteTable;
import dev.meshgate.proxy.stream.StreamInfo;
import dev.meshgate.proxy.testapp.OutboundHttpClient;
import dev.meshgate.proxy.testapp.TestListenerBinding;
import dev.meshgate.proxy.testapp.TestProxyApplication;

/**
 * gRPC-Web through a real proxy: an HTTP/1.1 client speaking gRPC-Web (binary and base64 text, as browsers do) to
 * a cluster of a {@code GRPC-WEB} port, whose endpoint is a real grpc-java server reached over HTTP/2.
 */
@SpringBootTest(classes = {TestProxyApplication.class, GrpcRouteHarness.class},
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.address=127.0.0.1", "spring.main.banner-mode=off",
                "meshgate.proxy.name=client-v1-1", "meshgate.proxy.discovery-address=127.0.0.1:9"})
class GrpcWebSocketTest {

    private static int versions;

    @LocalServerPort
    int port;

    @Autowired
    MeshRouteTable table;

    @Autowired
    TestListenerBinding binding;

    private EchoService echo;
    private HttpClient client;

    @BeforeAll
    static void blockHound() {
        BlockHound.install();
    }

    @BeforeEach
    void setUp() throws Exception {
        binding.bind(port, "outbound");
        echo = new EchoService();
        client = OutboundHttpClient.through(port);
    }

    @AfterEach
    void tearDown() {
        echo.close();
    }

    private void serve(boolean grpcWeb, int... ports) throws Exception {
        serve(grpcWeb, new ListenerSpec("outbound", 0, ListenerSpec.Direction.OUTBOUND, List.of()), ports);
    }

    /** Serves host {@code echo} on {@code on} (its virtual hosts replaced) from the cluster. */
    private void serve(boolean grpcWeb, ListenerSpec on, int... ports) throws Exception {
        serve(grpcWeb, on, null, 0, ports);
    }

    /** As above, the route with {@code fault} and a route timeout ({@code timeoutMillis}, 0 for none). */
    private void serve(boolean grpcWeb, ListenerSpec on, @Nullable FaultSpec fault, long timeoutMillis, int... ports)
            throws Exception {
        List<EndpointSpec> endpoints = new ArrayList<>();
        for (int p : ports) {
            endpoints.add(new EndpointSpec("127.0.0.1", p, Map.of(), 1, null, null));
        }
        ClusterSpec cluster = new ClusterSpec("outbound|80||echo.default.svc.cluster.local",
                "echo.default.svc.cluster.local", 80, null, ClusterSpec.Discovery.STATIC, endpoints,
                new TrafficPolicySpec(LoadBalancerSpec.DEFAULT, ConnectionPoolSpec.DEFAULT, null),
                UpstreamProtocol.HTTP2, grpcWeb);
        RouteSpec route = new RouteSpec("default.echo.0", null, List.of(),
                new RouteSpec.RouteAction(List.of(new WeightedCluster(cluster.name(), 100, null, null))), null, null,
                null, null, null, timeoutMillis, null, fault, List.of(), null);
        ListenerSpec listener = new ListenerSpec(on.name(), on.port(), on.direction(),
                List.of(new VirtualHostSpec("echo", List.of("echo"), List.of(route))), List.of(), List.of(),
                on.grpcWeb());
        binding.bind(port, on.name());
        String v = "gw" + ++versions;
        table.apply(new ProxyView(v, "s-" + v, List.of(listener), List.of(cluster),
                ProxyView.OutboundTrafficPolicy.REGISTRY_ONLY));
        GrpcRouteHarness.records.clear();
    }

    private HttpResponse<byte[]> post(String method, String contentType, @Nullable String accept, byte[] body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://echo/test.Echo/" + method))
                .timeout(Duration.ofSeconds(20))
                .header("content-type", contentType)
                .header("x-grpc-web", "1")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (accept != null) {
            request.header("accept", accept);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** A gRPC frame: flag, 4-byte length, payload. */
    private static byte[] frame(int flag, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(flag);
        out.write(payload.length >>> 24);
        out.write(payload.length >>> 16);
        out.write(payload.length >>> 8);
        out.write(payload.length);
        out.writeBytes(payload);
        return out.toByteArray();
    }

    private static byte[] message(String text) {
        return frame(0, text.getBytes(StandardCharsets.UTF_8));
    }

    /** The frames of a gRPC-Web body: data frames as their text, the trailer frame as "trailers:<block>". */
    private static List<String> frames(byte[] body) {
        List<String> frames = new ArrayList<>();
        int at = 0;
        while (at < body.length) {
            assertThat(body.length - at).as("a whole frame header").isGreaterThanOrEqualTo(5);
            int length = ((body[at + 1] & 0xff) << 24) | ((body[at + 2] & 0xff) << 16) | ((body[at + 3] & 0xff) << 8)
                    | (body[at + 4] & 0xff);
            String payload = new String(body, at + 5, length, StandardCharsets.UTF_8);
            frames.add((body[at] & 0x80) != 0 ? "trailers:" + payload : payload);
            at += 5 + length;
        }
        return frames;
    }

    /** Decodes a grpc-web-text body: base64 groups, each frame padded on its own. */
    private static byte[] decodeText(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < body.length; i += 4) {
            out.writeBytes(Base64.getDecoder().decode(new String(body, i, 4, StandardCharsets.US_ASCII)));
        }
        return out.toByteArray();
    }

    @Test
    void binaryUnaryCallGetsItsMessageAndTheTrailersInTheBody() throws Exception {
        serve(true, echo.port());
        HttpResponse<byte[]> response = post("Unary", "application/grpc-web+proto", null, message("hi"));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/grpc-web+proto");
        assertThat(response.headers().firstValue("grpc-status")).isEmpty();
        assertThat(frames(response.body())).containsExactly("echo:hi", "trailers:grpc-status:0\r\n");
        StreamInfo info = GrpcRouteHarness.record();
        assertThat(info.grpcStatus()).isEqualTo("0");
        assertThat(info.requestMessages()).isEqualTo(1);
        assertThat(info.responseMessages()).isEqualTo(1);
    }

    @Test
    void serverStreamingCallGetsEveryMessageThenTheTrailers() throws Exception {
        serve(true, echo.port());
        HttpResponse<byte[]> response = post("Stream", "application/grpc-web", null, message("m"));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(frames(response.body())).containsExactly("m1", "m2", "m3", "trailers:grpc-status:0\r\n");
    }

    @Test
    void textCallIsDecodedAndAnsweredInBase64() throws Exception {
        serve(true, echo.port());
        byte[] body = Base64.getEncoder().encode(message("text"));
        HttpResponse<byte[]> response = post("Stream", "application/grpc-web-text", "application/grpc-web-text", body);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/grpc-web-text+proto");
        assertThat(new String(response.body(), StandardCharsets.US_ASCII)).matches("[A-Za-z0-9+/=]+");
        assertThat(frames(decodeText(response.body())))
                .containsExactly("text1", "text2", "text3", "trailers:grpc-status:0\r\n");
    }

    @Test
    void textRequestMayBeAnsweredInBinary() throws Exception {
        serve(true, echo.port());
        byte[] body = Base64.getEncoder().encode(message("t"));
        HttpResponse<byte[]> response = post("Unary", "application/grpc-web-text+proto", null, body);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/grpc-web+proto");
        assertThat(frames(response.body())).containsExactly("echo:t", "trailers:grpc-status:0\r\n");
    }

    @Test
    void errorStatusOfATrailersOnlyAnswerStaysInTheHeaders() throws Exception {
        serve(true, echo.port());
        HttpResponse<byte[]> response = post("Unary", "application/grpc-web+proto", null, message("fail"));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/grpc-web+proto");
        assertThat(response.headers().firstValue("grpc-status")).hasValue("3");
        assertThat(response.headers().firstValue("grpc-message")).hasValue("bad input");
        assertThat(response.body()).isEmpty();
    }

    @Test
    void undecodableBase64IsABadRequest() throws Exception {
        serve(true, echo.port());
        HttpResponse<byte[]> response = post("Unary", "application/grpc-web-text", null,
                "AAAAAAJo!".getBytes(StandardCharsets.US_ASCII));
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("grpc-status")).hasValue("13");
        assertThat(response.headers().firstValue("grpc-message")).hasValue("Bad gRPC-web request, invalid base64 data.");
        assertThat(response.headers().firstValue("content-type")).hasValue("application/grpc-web+proto");
    }

    private static final ListenerSpec OUTBOUND = new ListenerSpec("outbound", 0, ListenerSpec.Direction.OUTBOUND,
            List.of());

    @Test
    void aFaultAbortIsAnsweredInGrpcWebWithTheStatusOfItsHttpStatus() throws Exception {
        serve(true, OUTBOUND, new FaultSpec(null, new FaultSpec.Abort(503, 100)), 0, echo.port());
        HttpResponse<byte[]> response = post("Unary", "application/grpc-web+proto", null, message("hi"));
        // Envoy's fault filter comes after grpc_web, which encodes its local reply: HTTP status, grpc-status mapped
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/grpc-web+proto");
        assertThat(response.headers().firstValue("grpc-status")).hasValue("14");
        assertThat(response.headers().firstValue("grpc-message").orElseThrow()).contains("fault filter abort");
        assertThat(response.headers().firstValue("x-meshgate-response-flags")).hasValue("FI");
        assertThat(response.body()).isEmpty();
    }

    @Test
    void aFaultAbortByGrpcStatusAnswersThatStatusToATextClient() throws Exception {
        // NOT_FOUND (5), whose HTTP status 404 Envoy would map back to UNIMPLEMENTED: the configured code is kept
        serve(true, OUTBOUND, new FaultSpec(null, new FaultSpec.Abort(404, 100, 5)), 0, echo.port());
        HttpResponse<byte[]> response = post("Unary", "application/grpc-web-text", "application/grpc-web-text",
                Base64.getEncoder().encode(message("hi")));
        assertThat(response.headers().firstValue("content-type")).hasValue("application/grpc-web-text+proto");
        assertThat(response.headers().firstValue("grpc-status")).hasValue("5");
        assertThat(response.headers().firstValue("x-meshgate-response-flags")).hasValue("FI");
    }

    @Test
    void aFaultAbortOnAPortThatIsNotGrpcWebsStaysPlainHttp() throws Exception {
        serve(false, OUTBOUND, new FaultSpec(null, new FaultSpec.Abort(503, 100)), 0, echo.port());
        HttpResponse<byte[]> response = post("Unary", "application/grpc-web+proto", null, message("hi"));
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("grpc-status")).isEmpty();
        assertThat(new String(response.body(), StandardCharsets.UTF_8)).contains("fault filter abort");
    }

    @Test
    void aRouteTimeoutIsAnsweredInGrpcWeb() throws Exception {
        serve(true, OUTBOUND, null, 300, echo.port());
        HttpResponse<byte[]> response = post("Slow", "application/grpc-web+proto", null, message("hi"));
        // Envoy's router times out a request that is not gRPC (the client's) with 504, grpc_web maps it
        assertThat(response.statusCode()).isEqualTo(504);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/grpc-web+proto");
        assertThat(response.headers().firstValue("grpc-status")).hasValue("14");
        assertThat(response.headers().firstValue("grpc-message").orElseThrow()).contains("upstream request timeout");
        assertThat(response.headers().firstValue("x-meshgate-response-flags")).hasValue("UT");
    }

    @Test
    void proxysOwnAnswerBecomesAGrpcWebStatus() throws Exception {
        serve(true);
        HttpResponse<byte[]> response = post("Unary", "application/grpc-web+proto", null, message("hi"));
        // Envoy answers the gRPC-Web client in HTTP (503 UH), and its grpc_web filter adds the status.
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/grpc-web+proto");
        assertThat(response.headers().firstValue("grpc-status")).hasValue("14");
        assertThat(response.headers().firstValue("grpc-message").orElseThrow()).contains("no healthy upstream");
        assertThat(response.headers().firstValue("x-meshgate-response-flags")).hasValue("UH");
        assertThat(response.body()).isEmpty();
    }

    @Test
    void gatewayListenerOfAGrpcWebServerTranslatesForAClusterThatIsNotGrpcWebs() throws Exception {
        // A Gateway server of protocol GRPC-WEB: pilot puts grpc_web on the port's HTTP connection manager, so the
        // destination (here a GRPC port, not GRPC-WEB) gets gRPC.
        serve(false, new ListenerSpec("gateway/8080", 8080, ListenerSpec.Direction.GATEWAY, List.of(), List.of(),
                List.of(), true), echo.port());
        HttpResponse<byte[]> response = post("Stream", "application/grpc-web+proto", null, message("g"));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/grpc-web+proto");
        assertThat(frames(response.body())).containsExactly("g1", "g2", "g3", "trailers:grpc-status:0\r\n");
        assertThat(GrpcRouteHarness.record().listener()).isEqualTo("gateway/8080");
    }

    @Test
    void gatewayListenerWithoutTheFilterRelaysGrpcWebAsItIs() throws Exception {
        serve(false, new ListenerSpec("gateway/8080", 8080, ListenerSpec.Direction.GATEWAY, List.of()),
                echo.port());
        HttpResponse<byte[]> response = post("Unary", "application/grpc-web+proto", null, message("hi"));
        assertThat(response.headers().firstValue("content-type").orElse("")).doesNotStartWith("application/grpc-web");
        assertThat(new String(response.body(), StandardCharsets.UTF_8)).doesNotContain("echo:hi");
    }

    @Test
    void portNotGrpcWebRelaysTheRequestAsItIs() throws Exception {
        serve(false, echo.port());
        HttpResponse<byte[]> response = post("Unary", "application/grpc-web+proto", null, message("hi"));
        // The gRPC server gets gRPC-Web and does not take it as gRPC.
        assertThat(response.headers().firstValue("content-type").orElse("")).doesNotStartWith("application/grpc-web");
        assertThat(new String(response.body(), StandardCharsets.UTF_8)).doesNotContain("echo:hi");
    }
}
