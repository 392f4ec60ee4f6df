package dev.meshgate.proxy.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
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
import dev.meshgate.core.view.ListenerSpec;
import dev.meshgate.core.view.LoadBalancerSpec;
import dev.meshgate.core.view.MirrorSpec;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.view.RouteSpec;
import dev.meshgate.core.view.RouteSpec.WeightedCluster;
import dev.meshgate.core.view.TrafficPolicySpec;
import dev.meshgate.core.view.VirtualHostSpec;
import dev.meshgate.proxy.route.MeshRouteTable;
import dev.meshgate.proxy.testapp.TestListenerBinding;
import dev.meshgate.proxy.testapp.TestProxyApplication;

/**
 * {@code http[].mirrors} to HTTP/2 clusters through a real proxy: a grpc-java client's calls are copied to another
 * real grpc-java server (which speaks nothing but HTTP/2) with the {@code -shadow} authority and their messages,
 * a bidirectional call is not held back by the copying, and an HTTP/1.1 request is copied in HTTP/2 to an h2c-only
 * server when the mirror cluster is an HTTP/2 port's.
 */
@SpringBootTest(classes = {TestProxyApplication.class, GrpcRouteHarness.class},
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.address=127.0.0.1", "spring.main.banner-mode=off",
                "meshgate.proxy.name=client-v1-1", "meshgate.proxy.discovery-address=127.0.0.1:9"})
class GrpcMirrorSocketTest {

    /** What the mirror's gRPC server got: "authority method message" per message. */
    private static final LinkedBlockingQueue<String> mirrored = new LinkedBlockingQueue<>();
    /** What the h2c-only mirror got: "version host method body". */
    private static final Queue<String> h2cMirrored = new ConcurrentLinkedQueue<>();
    private static final AtomicInteger versions = new AtomicInteger();
    private static EchoService primary;
    private static Server mirror;
    private static DisposableServer h2cMirror;

    @LocalServerPort
    int port;

    @Autowired
    MeshRouteTable table;

    @Autowired
    TestListenerBinding binding;

    private ManagedChannel channel;

    @BeforeAll
    static void start() throws Exception {
        BlockHound.install();
        primary = new EchoService();
        Metadata.Key<String> authority = Metadata.Key.of("x-seen-authority", Metadata.ASCII_STRING_MARSHALLER);
        ServerServiceDefinition service = ServerServiceDefinition.builder("test.Echo")
                .addMethod(EchoService.UNARY, ServerCalls.asyncUnaryCall((String request, StreamObserver<String> out) -> {
                    out.onNext("mirror:" + request);
                    out.onCompleted();
                }))
                .addMethod(EchoService.CHAT, ServerCalls.asyncBidiStreamingCall(out -> new StreamObserver<String>() {
                    @Override
                    public void onNext(String value) {
                        out.onNext("mirror:" + value);
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                        out.onCompleted();
                    }
                }))
                .build();
        ServerInterceptor record = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                    ServerCallHandler<Q, R> next) {
                String prefix = call.getAuthority() + " " + call.getMethodDescriptor().getBareMethodName() + " ";
                return new io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener<Q>(
                        next.startCall(call, headers)) {
                    @Override
                    public void onMessage(Q message) {
                        mirrored.add(prefix + message);
                        super.onMessage(message);
                    }
                };
            }
        };
        mirror = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(ServerInterceptors.intercept(service, record)).build().start();
        h2cMirror = HttpServer.create().host("127.0.0.1").port(0).protocol(HttpProtocol.H2C)
                .handle((request, response) -> request.receive().aggregate().asString().defaultIfEmpty("")
                        .flatMap(body -> {
                            h2cMirrored.add(request.version() + " " + request.requestHeaders().get("host") + " "
                                    + request.method() + " " + body);
                            return response.sendString(Mono.just("ok")).then();
                        }))
                .bindNow();
    }

    @AfterAll
    static void stop() {
        primary.close();
        mirror.shutdownNow();
        h2cMirror.disposeNow();
    }

    @BeforeEach
    void setUp() throws Exception {
        binding.bind(port, "outbound");
        channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().overrideAuthority("echo").build();
        mirrored.clear();
        h2cMirrored.clear();
    }

    @AfterEach
    void tearDown() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private static ClusterSpec http2Cluster(String name, int port) {
        return new ClusterSpec(name, name, 80, null, ClusterSpec.Discovery.STATIC,
                List.of(new EndpointSpec("127.0.0.1", port, Map.of(), 1, null, null)),
                new TrafficPolicySpec(LoadBalancerSpec.DEFAULT, ConnectionPoolSpec.DEFAULT, null),
                UpstreamProtocol.HTTP2);
    }

    /** Every host to the primary gRPC server, mirrored to {@code mirrorCluster}. */
    private void serve(ClusterSpec mirrorCluster) throws Exception {
        ClusterSpec echo = http2Cluster("outbound|80||echo.default.svc.cluster.local", primary.port());
        RouteSpec route = new RouteSpec("default.echo.0", null, List.of(),
                new RouteSpec.RouteAction(List.of(new WeightedCluster(echo.name(), 100, null, null))), null, null,
                null, null, null, 0, null, null, List.of(new MirrorSpec(mirrorCluster.name(), 100)), null);
        ListenerSpec listener = new ListenerSpec("outbound", 0, ListenerSpec.Direction.OUTBOUND,
                List.of(new VirtualHostSpec("echo", List.of("echo", "*"), List.of(route))));
        String v = "mirror" + versions.incrementAndGet();
        table.apply(new ProxyView(v, "s-" + v, List.of(listener), List.of(echo, mirrorCluster),
                ProxyView.OutboundTrafficPolicy.REGISTRY_ONLY));
    }

    private static CallOptions callOptions() {
        return CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    @Test
    void aUnaryCallIsCopiedOverHttp2WithTheShadowAuthorityAndItsMessage() throws Exception {
        serve(http2Cluster("outbound|80||mirror.default.svc.cluster.local", mirror.getPort()));

        String answer = ClientCalls.blockingUnaryCall(channel, EchoService.UNARY, callOptions(), "hello");

        assertThat(answer).as("the primary answers").isEqualTo("echo:hello");
        assertThat(mirrored.poll(30, TimeUnit.SECONDS)).isEqualTo("echo-shadow Unary hello");
    }

    @Test
    void aBidirectionalCallIsNotHeldBackAndIsCopiedOnceItsRequestEnds() throws Exception {
        serve(http2Cluster("outbound|80||mirror.default.svc.cluster.local", mirror.getPort()));
        LinkedBlockingQueue<String> answers = new LinkedBlockingQueue<>();
        ClientCall<String, String> call = channel.newCall(EchoService.CHAT, callOptions());
        StreamObserver<String> requests = ClientCalls.asyncBidiStreamingCall(call, new StreamObserver<>() {
            @Override
            public void onNext(String value) {
                answers.add(value);
            }

            @Override
            public void onError(Throwable t) {
                answers.add("error:" + t);
            }

            @Override
            public void onCompleted() {
                answers.add("done");
            }
        });

        requests.onNext("one");
        // answered while the client's stream is still open: the copying holds nothing back
        assertThat(answers.poll(30, TimeUnit.SECONDS)).isEqualTo("re:one");
        requests.onNext("two");
        assertThat(answers.poll(30, TimeUnit.SECONDS)).isEqualTo("re:two");
        requests.onCompleted();
        assertThat(answers.poll(30, TimeUnit.SECONDS)).isEqualTo("done");

        List<String> copies = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            copies.add(mirrored.poll(30, TimeUnit.SECONDS));
        }
        assertThat(copies).containsExactly("echo-shadow Chat one", "echo-shadow Chat two");
    }

    @Test
    void anHttp11RequestIsCopiedInHttp2ToAnHttp2MirrorCluster() throws Exception {
        serve(http2Cluster("outbound|80||h2c.default.svc.cluster.local", h2cMirror.port()));
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", port))).build();

        // the primary is the gRPC server, which refuses HTTP/1.1: only the copy matters here
        client.send(HttpRequest.newBuilder(URI.create("http://web:8080/orders")).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString("{\"item\":1}")).build(),
                HttpResponse.BodyHandlers.discarding());

        await().atMost(Duration.ofSeconds(30)).until(() -> !h2cMirrored.isEmpty());
        assertThat(h2cMirrored.peek()).isEqualTo("HTTP/2.0 web-shadow:8080 POST {\"item\":1}");
    }
}
