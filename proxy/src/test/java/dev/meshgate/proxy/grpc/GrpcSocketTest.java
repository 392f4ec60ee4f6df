package dev.meshgate.proxy.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import reactor.blockhound.BlockHound;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.server.HttpServer;

import dev.meshgate.core.view.ClusterSpec;
import dev.meshgate.core.view.ClusterSpec.UpstreamProtocol;
import dev.meshgate.core.view.ConnectionPoolSpec;
import dev.meshgate.core.view.EndpointSpec;
import dev.meshgate.core.view.FaultSpec;
import dev.meshgate.core.view.ListenerSpec;
import dev.meshgate.core.view.LoadBalancerSpec;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.ProxyKind;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.view.RouteSpec;
import dev.meshgate.core.view.RouteSpec.WeightedCluster;
import dev.meshgate.core.view.TrafficPolicySpec;
import dev.meshgate.core.view.VirtualHostSpec;
import dev.meshgate.proxy.route.MeshRouteTable;
import dev.meshgate.proxy.telemetry.IstioMetrics;
import dev.meshgate.proxy.testapp.TestListenerBinding;
import dev.meshgate.proxy.testapp.TestProxyApplication;
import dev.meshgate.testing.FreePorts;

/**
 * HTTP/2 and gRPC through a real proxy: a grpc-java client (HTTP/2 with prior knowledge) and a grpc-java server
 * on loopback, the JDK's HTTP/2 client (the HTTP/1.1 upgrade), and Reactor Netty backends that report the HTTP
 * version they were asked in.
 */
@SpringBootTest(classes = {TestProxyApplication.class, GrpcSocketTest.Identity.class},
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.address=127.0.0.1", "spring.main.banner-mode=off",
                "meshgate.proxy.name=client-v1-1", "meshgate.proxy.discovery-address=127.0.0.1:9"})
class GrpcSocketTest {

    @TestConfiguration
    static class Identity {
        @Bean
        ProxyIdentity proxyIdentity() {
            return new ProxyIdentity("client-v1-1", "default", ProxyKind.SIDECAR, Map.of("app", "client"),
                    "client");
        }
    }

    private static final AtomicInteger versions = new AtomicInteger();

    @LocalServerPort
    int port;

    @Autowired
    MeshRouteTable table;

    @Autowired
    TestListenerBinding binding;

    @Autowired
    IstioMetrics metrics;

    private EchoService echo;
    private ManagedChannel channel;
    private final List<DisposableServer> backends = new ArrayList<>();

    @BeforeAll
    static void blockHound() {
        BlockHound.install();
    }

    @BeforeEach
    void setUp() throws Exception {
        binding.bind(port, "outbound");
        echo = new EchoService();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().overrideAuthority("echo")
                .build();
    }

    @AfterEach
    void tearDown() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        echo.close();
        backends.forEach(DisposableServer::disposeNow);
    }

    /** Serves every host from cluster {@code echo} at these ports, in {@code protocol}. */
    private void serve(UpstreamProtocol protocol, ConnectionPoolSpec pool, long timeoutMillis,
            @Nullable FaultSpec fault, int... ports) throws Exception {
        List<EndpointSpec> endpoints = new ArrayList<>();
        for (int p : ports) {
            endpoints.add(new EndpointSpec("127.0.0.1", p, Map.of(), 1, null, null));
        }
        ClusterSpec cluster = new ClusterSpec("outbound|80||echo.default.svc.cluster.local",
                "echo.default.svc.cluster.local", 80, null, ClusterSpec.Discovery.STATIC, endpoints,
                new TrafficPolicySpec(LoadBalancerSpec.DEFAULT, pool, null), protocol);
        RouteSpec route = new RouteSpec("default.echo.0", null, List.of(),
                new RouteSpec.RouteAction(List.of(new WeightedCluster(cluster.name(), 100, null, null))), null, null,
                null, null, null, timeoutMillis, null, fault, List.of(), null);
        ListenerSpec listener = new ListenerSpec("outbound", 0, ListenerSpec.Direction.OUTBOUND,
                List.of(new VirtualHostSpec("echo", List.of("echo", "*"), List.of(route))));
        String v = "g" + versions.incrementAndGet();
        table.apply(new ProxyView(v, "s-" + v, List.of(listener), List.of(cluster),
                ProxyView.OutboundTrafficPolicy.REGISTRY_ONLY));
    }

    private void serveEcho() throws Exception {
        serve(UpstreamProtocol.HTTP2, ConnectionPoolSpec.DEFAULT, 0, null, echo.port());
    }

    private String unary(String message) {
        return ClientCalls.blockingUnaryCall(channel, EchoService.UNARY, callOptions(), message);
    }

    private static CallOptions callOptions() {
        return CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    private static Status statusOf(Runnable call) {
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, call::run);
        assertThat(e).as("the call fails with a gRPC status").isNotNull();
        return e.getStatus();
    }

    @Test
    void unaryCallGoesThroughOverHttp2() throws Exception {
        serveEcho();
        assertThat(unary("hi")).isEqualTo("echo:hi");
        assertThat(unary("again")).isEqualTo("echo:again");
    }

    @Test
    void statusAndMessageOfTheServerReachTheClientFromTheTrailers() throws Exception {
        serveEcho();
        Status status = statusOf(() -> unary("fail"));
        assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(status.getDescription()).isEqualTo("bad input");
        // A trailers-only answer: the status was in the headers.
        await().atMost(Duration.ofSeconds(10)).until(() -> series("grpc_response_status", "3") > 0);
        // An answer with a message: the status came in the trailers.
        long ok = series("grpc_response_status", "0");
        assertThat(unary("ok")).isEqualTo("echo:ok");
        await().atMost(Duration.ofSeconds(10)).until(() -> series("grpc_response_status", "0") > ok);
    }

    @Test
    void serverStreamingRelaysEveryMessage() throws Exception {
        serveEcho();
        long requestMessages = total("istio_request_messages_total");
        long responseMessages = total("istio_response_messages_total");
        Iterator<String> replies = ClientCalls.blockingServerStreamingCall(channel, EchoService.STREAM,
                callOptions(), "m");
        List<String> all = new ArrayList<>();
        replies.forEachRemaining(all::add);
        assertThat(all).containsExactly("m1", "m2", "m3");
        // Istio's message counts: one request message, three response messages, on the call's series.
        await().atMost(Duration.ofSeconds(10))
                .until(() -> total("istio_response_messages_total") == responseMessages + 3);
        assertThat(total("istio_request_messages_total")).isEqualTo(requestMessages + 1);
    }

    @Test
    void clientStreamingRelaysEveryMessage() throws Exception {
        serveEcho();
        long requestMessages = total("istio_request_messages_total");
        long responseMessages = total("istio_response_messages_total");
        CompletableFuture<String> result = new CompletableFuture<>();
        StreamObserver<String> requests = ClientCalls.asyncClientStreamingCall(
                channel.newCall(EchoService.COLLECT, callOptions()), observer(result, null));
        requests.onNext("a");
        requests.onNext("b");
        requests.onNext("c");
        requests.onCompleted();
        assertThat(result.get(20, TimeUnit.SECONDS)).isEqualTo("abc");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> total("istio_request_messages_total") == requestMessages + 3);
        assertThat(total("istio_response_messages_total")).isEqualTo(responseMessages + 1);
    }

    @Test
    void bidirectionalCallAnswersEachMessageBeforeTheNextIsSent() throws Exception {
        serveEcho();
        LinkedBlockingQueue<String> replies = new LinkedBlockingQueue<>();
        CompletableFuture<String> done = new CompletableFuture<>();
        StreamObserver<String> requests = ClientCalls.asyncBidiStreamingCall(
                channel.newCall(EchoService.CHAT, callOptions()), observer(done, replies));
        // Each reply arrives while the request stream is still open: nothing waits for the end of the request.
        requests.onNext("one");
        assertThat(replies.poll(20, TimeUnit.SECONDS)).isEqualTo("re:one");
        requests.onNext("two");
        assertThat(replies.poll(20, TimeUnit.SECONDS)).isEqualTo("re:two");
        requests.onCompleted();
        done.get(20, TimeUnit.SECONDS);
    }

    private static StreamObserver<String> observer(CompletableFuture<String> result,
            @Nullable LinkedBlockingQueue<String> each) {
        return new StreamObserver<>() {
            private String last = "";

            @Override
            public void onNext(String value) {
                last = value;
                if (each != null) {
                    each.add(value);
                }
            }

            @Override
            public void onError(Throwable t) {
                result.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                result.complete(last);
            }
        };
    }

    @Test
    void noHealthyUpstreamIsUnavailable() throws Exception {
        serve(UpstreamProtocol.HTTP2, ConnectionPoolSpec.DEFAULT, 0, null);
        Status status = statusOf(() -> unary("x"));
        assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(status.getDescription()).isEqualTo("no healthy upstream");
        await().atMost(Duration.ofSeconds(10)).until(() -> series("grpc_response_status", "14") > 0);
    }

    @Test
    void backendDownIsUnavailable() throws Exception {
        int dead = FreePorts.next();
        serve(UpstreamProtocol.HTTP2, ConnectionPoolSpec.DEFAULT, 0, null, dead);
        assertThat(statusOf(() -> unary("x")).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    }

    @Test
    void routeTimeoutIsDeadlineExceeded() throws Exception {
        serve(UpstreamProtocol.HTTP2, ConnectionPoolSpec.DEFAULT, 300, null, echo.port());
        Status status = statusOf(() -> ClientCalls.blockingUnaryCall(channel, EchoService.SLOW, callOptions(), "x"));
        // The proxy tells the server the route's deadline (grpc-timeout, as Envoy rewrites it), so the proxy's timer
        // and the server's own deadline end the call at about the same moment: DEADLINE_EXCEEDED either way. That
        // the proxy's timer answers is GrpcTimeoutSocketTest's, with a server that ignores the header.
        assertThat(status.getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    }

    @Test
    void overflowIsUnavailable() throws Exception {
        ConnectionPoolSpec oneRequest = new ConnectionPoolSpec(Integer.MAX_VALUE, 10_000, Integer.MAX_VALUE, 1, 0,
                Integer.MAX_VALUE, 3_600_000);
        serve(UpstreamProtocol.HTTP2, oneRequest, 0, null, echo.port());
        CompletableFuture<String> slow = new CompletableFuture<>();
        ClientCalls.asyncUnaryCall(channel.newCall(EchoService.SLOW, callOptions()), "x", observer(slow, null));
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            Status s = statusOf(() -> unary("y"));
            return s.getCode() == Status.Code.UNAVAILABLE
                    && "upstream connection pool overflow".equals(s.getDescription());
        });
        assertThat(slow.get(20, TimeUnit.SECONDS)).isEqualTo("late:x");
    }

    @Test
    void routeNotFoundIsUnimplemented() throws Exception {
        serveEcho();
        ManagedChannel elsewhere = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext()
                .overrideAuthority("nowhere").build();
        try {
            String v = "g" + versions.incrementAndGet();
            // A virtual host for the authority, without a route: Envoy's 404 NR, UNIMPLEMENTED to a gRPC client.
            table.apply(new ProxyView(v, "s-" + v, List.of(new ListenerSpec("outbound", 0,
                    ListenerSpec.Direction.OUTBOUND, List.of(new VirtualHostSpec("nowhere", List.of("nowhere"),
                            List.of())))), List.of(), ProxyView.OutboundTrafficPolicy.REGISTRY_ONLY));
            StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
                    () -> ClientCalls.blockingUnaryCall(elsewhere, EchoService.UNARY, callOptions(), "x"));
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
        } finally {
            elsewhere.shutdownNow();
        }
    }

    @Test
    void faultAbortAnswersItsGrpcStatus() throws Exception {
        serve(UpstreamProtocol.HTTP2, ConnectionPoolSpec.DEFAULT, 0, new FaultSpec(null,
                new FaultSpec.Abort(429, 100, Status.Code.RESOURCE_EXHAUSTED.value())), echo.port());
        Status status = statusOf(() -> unary("x"));
        assertThat(status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(status.getDescription()).isEqualTo("fault filter abort");
    }

    @Test
    void faultAbortByHttpStatusIsMappedForGrpcClients() throws Exception {
        serve(UpstreamProtocol.HTTP2, ConnectionPoolSpec.DEFAULT, 0,
                new FaultSpec(null, new FaultSpec.Abort(503, 100)), echo.port());
        assertThat(statusOf(() -> unary("x")).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    }

    /** A backend answering with the HTTP version it was asked in, and the connection (client port) it came on. */
    private int versionBackend(HttpProtocol... protocols) {
        DisposableServer server = HttpServer.create().host("127.0.0.1").port(0).protocol(protocols)
                .handle((request, response) -> response
                        .header("x-backend-protocol", request.version().text())
                        .header("x-backend-peer", Integer.toString(
                                ((InetSocketAddress) request.remoteAddress()).getPort()))
                        .sendString(Mono.just("ok")))
                .bindNow();
        backends.add(server);
        return server.port();
    }

    private HttpResponse<String> get(HttpClient.Version version, boolean viaProxy) throws Exception {
        HttpClient.Builder builder = HttpClient.newBuilder().version(version).connectTimeout(Duration.ofSeconds(5));
        URI uri = URI.create("http://127.0.0.1:" + port + "/");
        if (viaProxy) {
            builder.proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", port)));
            uri = URI.create("http://echo/");
        }
        HttpClient client = builder.build();
        return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void listenerServesHttp2UpgradeAndHttp11OnOnePort() throws Exception {
        serve(UpstreamProtocol.HTTP1, ConnectionPoolSpec.DEFAULT, 0, null, versionBackend(HttpProtocol.HTTP11));
        HttpResponse<String> upgraded = get(HttpClient.Version.HTTP_2, false);
        assertThat(upgraded.statusCode()).isEqualTo(200);
        assertThat(upgraded.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(upgraded.headers().firstValue("x-backend-protocol")).hasValue("HTTP/1.1");
        HttpResponse<String> plain = get(HttpClient.Version.HTTP_1_1, true);
        assertThat(plain.statusCode()).isEqualTo(200);
        assertThat(plain.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    }

    @Test
    void http2ClusterIsSpokenToInHttp2OverOneMultiplexedConnection() throws Exception {
        serve(UpstreamProtocol.HTTP2, ConnectionPoolSpec.DEFAULT, 0, null, versionBackend(HttpProtocol.H2C));
        HttpResponse<String> first = get(HttpClient.Version.HTTP_1_1, true);
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.headers().firstValue("x-backend-protocol")).hasValue("HTTP/2.0");
        String connection = first.headers().firstValue("x-backend-peer").orElseThrow();
        List<CompletableFuture<HttpResponse<String>>> concurrent = new ArrayList<>();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", port))).build();
        for (int i = 0; i < 8; i++) {
            concurrent.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://echo/" + i))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> f : concurrent) {
            HttpResponse<String> r = f.get(20, TimeUnit.SECONDS);
            assertThat(r.statusCode()).isEqualTo(200);
            // Eight requests at once, on the one connection the first request opened.
            assertThat(r.headers().firstValue("x-backend-peer")).hasValue(connection);
        }
    }

    @Test
    void clusterUsingTheClientProtocolFollowsEachRequest() throws Exception {
        serve(UpstreamProtocol.USE_DOWNSTREAM, ConnectionPoolSpec.DEFAULT, 0, null,
                versionBackend(HttpProtocol.HTTP11, HttpProtocol.H2C));
        assertThat(get(HttpClient.Version.HTTP_2, false).headers().firstValue("x-backend-protocol"))
                .hasValue("HTTP/2.0");
        assertThat(get(HttpClient.Version.HTTP_1_1, true).headers().firstValue("x-backend-protocol"))
                .hasValue("HTTP/1.1");
        await().atMost(Duration.ofSeconds(10)).until(() -> metrics.scrape().contains("request_protocol=\"http\""));
        assertThat(metrics.scrape().lines().filter(l -> l.contains("_messages_total{")))
                .as("message counts are gRPC's only").noneMatch(l -> l.contains("request_protocol=\"http\""));
    }

    /** The sum of a counter over its series. */
    private long total(String metric) {
        return Arrays.stream(metrics.scrape().split("\n"))
                .filter(l -> l.startsWith(metric + "{"))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    private long series(String label, String value) {
        return Arrays.stream(metrics.scrape().split("\n"))
                .filter(l -> l.startsWith("istio_requests_total{") && l.contains(label + "=\"" + value + "\""))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }
}
