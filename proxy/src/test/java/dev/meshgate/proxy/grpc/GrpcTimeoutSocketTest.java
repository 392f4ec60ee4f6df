package dev.meshgate.proxy.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaders;
import reactor.blockhound.BlockHound;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

import dev.meshgate.core.view.RetrySpec;
import dev.meshgate.proxy.filter.LocalResponse;
import dev.meshgate.proxy.filter.ResponseFlag;
import dev.meshgate.proxy.route.MeshRouteTable;
import dev.meshgate.proxy.stream.StreamInfo;
import dev.meshgate.proxy.testapp.TestListenerBinding;
import dev.meshgate.proxy.testapp.TestProxyApplication;

/**
 * The {@code grpc-timeout} header through a real proxy, as Envoy applies it under Istio's routes. The client speaks
 * gRPC's wire format over HTTP/2 with prior knowledge (so that it sends any header without enforcing a deadline
 * of its own), and the upstream is an HTTP/2 server that records the {@code grpc-timeout} it was sent and never
 * enforces it, so that every deadline seen is the proxy's.
 */
@SpringBootTest(classes = {TestProxyApplication.class, GrpcRouteHarness.class},
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.address=127.0.0.1", "spring.main.banner-mode=off",
                "meshgate.proxy.name=client-v1-1", "meshgate.proxy.discovery-address=127.0.0.1:9"})
class GrpcTimeoutSocketTest {

    /** The grpc-timeout each upstream request carried ("-" when none). */
    private static final BlockingQueue<String> seen = new LinkedBlockingQueue<>();
    private static final MethodDescriptor<String, String> DRIP = MethodDescriptor.<String, String>newBuilder()
            .setType(MethodDescriptor.MethodType.SERVER_STREAMING).setFullMethodName("test.Echo/Drip")
            .setRequestMarshaller(EchoService.STRING).setResponseMarshaller(EchoService.STRING).build();
    private static final AtomicBoolean dripCancelled = new AtomicBoolean();
    private static DisposableServer upstream;

    @LocalServerPort
    int port;

    @Autowired
    MeshRouteTable table;

    @Autowired
    TestListenerBinding binding;

    @BeforeAll
    static void start() {
        BlockHound.install();
        // /Slow answers after 30 s, /Second after 1 s, anything else at once: grpc-status 0, trailers-only.
        upstream = HttpServer.create().host("127.0.0.1").port(0).protocol(HttpProtocol.H2C)
                .handle((request, response) -> {
                    if (request.uri().endsWith("/Drip")) {
                        return drip(request, response);
                    }
                    seen.add(request.requestHeaders().get(GrpcTimeout.HEADER, "-"));
                    Duration delay = request.uri().endsWith("/Slow") ? Duration.ofSeconds(30)
                            : request.uri().endsWith("/Second") ? Duration.ofSeconds(1) : Duration.ZERO;
                    return request.receive().then(Mono.delay(delay)).then(response.status(200)
                            .header("content-type", "application/grpc").header("grpc-status", "0").send());
                })
                .bindNow();
    }

    /**
     * A server-streaming answer of 100 messages, one every 100 ms, then grpc-status 0 in trailers; records whether
     * the proxy cancelled it.
     */
    private static Publisher<Void> drip(HttpServerRequest request, HttpServerResponse response) {
        return request.receive().then().thenMany(response.status(200)
                .header("content-type", "application/grpc")
                .trailerHeaders(t -> t.set("grpc-status", "0"))
                .sendObject(Flux.interval(Duration.ofMillis(100)).take(100)
                        .map(i -> {
                            byte[] m = ("m" + i).getBytes(StandardCharsets.UTF_8);
                            return Unpooled.buffer(5 + m.length).writeByte(0).writeInt(m.length).writeBytes(m);
                        })
                        .doOnCancel(() -> dripCancelled.set(true))));
    }

    @AfterAll
    static void stop() {
        upstream.disposeNow();
    }

    @BeforeEach
    void setUp() {
        binding.bind(port, "outbound");
        seen.clear();
    }

    private record Answer(int status, HttpHeaders headers, long millis, @Nullable StreamInfo info) {
        String grpcStatus() {
            return headers.get(GrpcLocalReply.GRPC_STATUS);
        }
    }

    /**
     * One unary call of gRPC's wire format (one 1-byte message) with these headers, and the proxy's record of it:
     * taken here, since the proxy may commit it after the answer has arrived and a record left behind would be
     * read as the next test's.
     */
    private Answer call(String method, @Nullable String grpcTimeout, String contentType)
            throws InterruptedException {
        long start = System.nanoTime();
        Answer answer = HttpClient.create().protocol(HttpProtocol.H2C)
                .headers(h -> {
                    h.set("content-type", contentType);
                    h.set("te", "trailers");
                    if (grpcTimeout != null) {
                        h.set(GrpcTimeout.HEADER, grpcTimeout);
                    }
                })
                .post().uri("http://127.0.0.1:" + port + "/test.Echo/" + method)
                .send(Mono.fromSupplier(() -> Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 0, 1, 'x'})))
                .responseSingle((res, body) -> body.then(Mono.fromSupplier(() -> new Answer(res.status().code(),
                        res.responseHeaders(), (System.nanoTime() - start) / 1_000_000, null))))
                .block(Duration.ofSeconds(25));
        return new Answer(answer.status(), answer.headers(), answer.millis(), GrpcRouteHarness.record());
    }

    private Answer call(String method, @Nullable String grpcTimeout) throws InterruptedException {
        return call(method, grpcTimeout, "application/grpc");
    }

    private static String upstreamHeader() throws InterruptedException {
        String v = seen.poll(20, TimeUnit.SECONDS);
        assertThat(v).as("the upstream got the request").isNotNull();
        return v;
    }

    /** Asserts a proxy's DEADLINE_EXCEEDED (UT) after about {@code millis}, recorded with one try. */
    private static void assertDeadlineExceeded(Answer answer, long millis) throws InterruptedException {
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.grpcStatus()).isEqualTo("4");
        assertThat(answer.headers().get(GrpcLocalReply.GRPC_MESSAGE)).isEqualTo("upstream request timeout");
        assertThat(answer.headers().get(LocalResponse.RESPONSE_FLAGS_HEADER)).isEqualTo("UT");
        // Generous: at least the timeout, far less than the upstream's 30 s.
        assertThat(answer.millis()).isBetween(millis - 10, 15_000L);
        assertThat(answer.info().hasFlag(ResponseFlag.UT)).isTrue();
        assertThat(answer.info().attempts()).isEqualTo(1);
    }

    @Test
    void grpcTimeoutHeaderIsTheDeadlineWhenTheRouteHasNoTimeout() throws Exception {
        GrpcRouteHarness.serve(table, 0, null, upstream.port());
        assertDeadlineExceeded(call("Slow", "300m"), 300);
        long forwarded = GrpcTimeout.parseMillis(upstreamHeader());
        assertThat(forwarded).as("what was left of 300 ms when sent").isBetween(1L, 300L);
    }

    @Test
    void routeTimeoutCapsALongerGrpcTimeout() throws Exception {
        GrpcRouteHarness.serve(table, 300, null, upstream.port());
        assertDeadlineExceeded(call("Slow", "1H"), 300);
        assertThat(GrpcTimeout.parseMillis(upstreamHeader())).isBetween(1L, 300L);
    }

    @Test
    void shorterGrpcTimeoutWinsOverTheRouteTimeout() throws Exception {
        GrpcRouteHarness.serve(table, 20_000, null, upstream.port());
        assertDeadlineExceeded(call("Slow", "300000u"), 300);
        assertThat(GrpcTimeout.parseMillis(upstreamHeader())).isBetween(1L, 300L);
    }

    @Test
    void forwardedGrpcTimeoutIsWhatIsLeftInMilliseconds() throws Exception {
        GrpcRouteHarness.serve(table, 0, null, upstream.port());
        Answer answer = call("Fast", "10S");
        assertThat(answer.grpcStatus()).isEqualTo("0");
        String forwarded = upstreamHeader();
        assertThat(forwarded).endsWith("m");
        assertThat(GrpcTimeout.parseMillis(forwarded)).isBetween(5_000L, 10_000L);
    }

    @Test
    void perTryTimeoutIsForwardedWhenShorter() throws Exception {
        GrpcRouteHarness.serve(table, 0, new RetrySpec(1, 2_000, Set.of("unavailable"), Set.of(), false),
                upstream.port());
        assertThat(call("Fast", "10S").grpcStatus()).isEqualTo("0");
        assertThat(GrpcTimeout.parseMillis(upstreamHeader())).isBetween(1_000L, 2_000L);
    }

    @Test
    void routeTimeoutIsForwardedToARequestWithoutGrpcTimeout() throws Exception {
        GrpcRouteHarness.serve(table, 4_000, null, upstream.port());
        assertThat(call("Fast", null).grpcStatus()).isEqualTo("0");
        assertThat(GrpcTimeout.parseMillis(upstreamHeader())).isBetween(2_000L, 4_000L);
    }

    @Test
    void unreadableGrpcTimeoutIsIgnoredAndForwardedAsItIs() throws Exception {
        GrpcRouteHarness.serve(table, 0, null, upstream.port());
        for (String garbage : List.of("1x", "soon", "123456789m", "-5S")) {
            // Read as 0 ms (or 5 s), any of these would have timed the 1 s answer out.
            Answer answer = call("Second", garbage);
            assertThat(answer.grpcStatus()).as(garbage).isEqualTo("0");
            assertThat(answer.headers().get(LocalResponse.RESPONSE_FLAGS_HEADER)).isNull();
            assertThat(upstreamHeader()).isEqualTo(garbage);
        }
    }

    @Test
    void unreadableGrpcTimeoutLeavesTheRouteTimeoutAndIsReplaced() throws Exception {
        GrpcRouteHarness.serve(table, 300, null, upstream.port());
        assertDeadlineExceeded(call("Slow", "12.5S"), 300);
        assertThat(GrpcTimeout.parseMillis(upstreamHeader())).isBetween(1L, 300L);
    }

    @Test
    void streamingResponsePastTheDeadlineIsReset() throws Exception {
        GrpcRouteHarness.serve(table, 1_000, null, upstream.port());
        dripCancelled.set(false);
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext()
                .overrideAuthority("echo").build();
        try {
            List<String> got = new CopyOnWriteArrayList<>();
            long start = System.nanoTime();
            // No deadline of the client's own: the route's timeout is the only one, and the upstream ignores it.
            StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
                    () -> ClientCalls.blockingServerStreamingCall(channel, DRIP, CallOptions.DEFAULT,
                            "x").forEachRemaining(got::add));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(e).as("the stream ends with an error, not grpc-status 0 after 10 s").isNotNull();
            assertThat(e.getStatus().getCode()).isNotEqualTo(io.grpc.Status.Code.OK);
            assertThat(got).as("messages before the deadline went through").isNotEmpty().hasSizeLessThan(100);
            // Generous: not before the deadline, far before the upstream's 10 s.
            assertThat(millis).isBetween(990L, 8_000L);
            StreamInfo info = GrpcRouteHarness.record();
            assertThat(info.hasFlag(ResponseFlag.UT)).isTrue();
            Awaitility.await().atMost(Duration.ofSeconds(5)).untilTrue(dripCancelled);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void streamingResponseWithinTheDeadlineEndsNormally() throws Exception {
        GrpcRouteHarness.serve(table, 30_000, null, upstream.port());
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext()
                .overrideAuthority("echo").build();
        try {
            List<String> got = new ArrayList<>();
            ClientCalls.blockingServerStreamingCall(channel, DRIP, CallOptions.DEFAULT, "x")
                    .forEachRemaining(got::add);
            assertThat(got).hasSize(100).startsWith("m0").endsWith("m99");
            assertThat(GrpcRouteHarness.record().hasFlag(ResponseFlag.UT)).isFalse();
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void grpcTimeoutOfANonGrpcRequestIsNotADeadline() throws Exception {
        GrpcRouteHarness.serve(table, 0, null, upstream.port());
        Answer answer = call("Second", "100m", "application/json");
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.headers().get(LocalResponse.RESPONSE_FLAGS_HEADER)).isNull();
        assertThat(upstreamHeader()).isEqualTo("100m");
    }
}
