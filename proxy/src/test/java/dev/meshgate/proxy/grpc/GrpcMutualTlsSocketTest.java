package dev.meshgate.proxy.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.meshgate.testing.FreePorts;
import java.net.InetAddress;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.WebServer;
import org.springframework.context.annotation.Bean;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.server.WebFilter;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import reactor.blockhound.BlockHound;
import reactor.netty.Connection;

import dev.meshgate.core.security.PeerAuthentication.Mode;
import dev.meshgate.core.security.identity.SpiffeId;
import dev.meshgate.core.security.pki.CertificateIssuer;
import dev.meshgate.core.security.pki.CertificateRequest;
import dev.meshgate.core.networking.destinationrule.ClientTlsSettings.TlsMode;
import dev.meshgate.core.mesh.MeshConfig.ProxyPathNormalization.NormalizationType;
import dev.meshgate.core.view.AuthSpec;
import dev.meshgate.core.view.ClientTlsSpec;
import dev.meshgate.core.view.ClusterSpec;
import dev.meshgate.core.view.ClusterSpec.UpstreamProtocol;
import dev.meshgate.core.view.ConnectionPoolSpec;
import dev.meshgate.core.view.EndpointSpec;
import dev.meshgate.core.view.ListenerSpec;
import dev.meshgate.core.view.LoadBalancerSpec;
import dev.meshgate.core.view.PeerAuthenticationSpec;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.ProxyKind;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.view.RouteSpec;
import dev.meshgate.core.view.RouteSpec.WeightedCluster;
import dev.meshgate.core.view.TrafficPolicySpec;
import dev.meshgate.core.view.VirtualHostSpec;
import dev.meshgate.proxy.listener.ListenerServerFactory;
import dev.meshgate.proxy.route.MeshRouteTable;
import dev.meshgate.proxy.security.WorkloadCertificateHolder;
import dev.meshgate.proxy.security.mtls.InboundMutualTls;
import dev.meshgate.proxy.security.mtls.PeerAuthenticationHandler;
import dev.meshgate.proxy.server.DownstreamHttp2;
import dev.meshgate.proxy.testapp.TestListenerBinding;
import dev.meshgate.proxy.testapp.TestProxyApplication;

/**
 * gRPC between two sidecars under mutual TLS, with real handshakes on loopback: a grpc-java client speaks h2c to
 * the proxy's outbound listener, whose HTTP/2 cluster reaches the proxy's own inbound listener (STRICT mutual TLS,
 * as the server's sidecar would be) over TLS with ALPN {@code h2}; the inbound side forwards to a grpc-java server.
 * What the inbound listener saw (HTTP version, negotiated protocol) is recorded by a web filter.
 */
@SpringBootTest(classes = {TestProxyApplication.class, GrpcMutualTlsSocketTest.Config.class},
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.address=127.0.0.1", "spring.main.banner-mode=off",
                "meshgate.proxy.name=client-v1-1", "meshgate.proxy.discovery-address=127.0.0.1:9"})
class GrpcMutualTlsSocketTest {

    private static final Instant NOW = Instant.now();
    private static final CertificateIssuer ROOT = CertificateIssuer.selfSignedRoot("mesh", NOW, Duration.ofDays(1));
    private static final SpiffeId ECHO = new SpiffeId("cluster.local", "default", "echo");

    /** What the inbound listener saw of one request: HTTP version and the connection's ALPN protocol. */
    record Seen(String version, String alpn) {
    }

    private static final Queue<Seen> inboundSeen = new ConcurrentLinkedQueue<>();
    private static volatile int inboundPort;

    @TestConfiguration
    static class Config {
        @Bean
        ProxyIdentity proxyIdentity() {
            return new ProxyIdentity("client-v1-1", "default", ProxyKind.SIDECAR, Map.of("app", "client"),
                    "client");
        }

        /** The one workload certificate: the proxy is client and server of its own mTLS hop here. */
        @Bean
        WorkloadCertificateHolder testWorkloadCertificates() {
            WorkloadCertificateHolder holder = new WorkloadCertificateHolder(List.of(ROOT.root()));
            KeyPair keys = CertificateRequest.generateKeyPair();
            holder.update(keys.getPrivate(), ROOT.issue(keys.getPublic(), ECHO, NOW, Duration.ofHours(1)),
                    List.of(ROOT.root()));
            return holder;
        }

        @Bean
        WebFilter inboundRecorder() {
            return (exchange, chain) -> {
                if (exchange.getRequest().getLocalAddress() != null
                        && exchange.getRequest().getLocalAddress().getPort() == inboundPort) {
                    var version = DownstreamHttp2.version(exchange.getRequest());
                    inboundSeen.add(new Seen(version == null ? "none" : version.text(),
                            alpn(ServerHttpRequestDecorator.getNativeRequest(exchange.getRequest()))));
                }
                return chain.filter(exchange);
            };
        }

        private static String alpn(Object nativeRequest) {
            if (!(nativeRequest instanceof Connection connection)) {
                return "none";
            }
            Channel channel = connection.channel();
            Channel tcp = channel.parent() != null ? channel.parent() : channel;
            return tcp.pipeline().get(PeerAuthenticationHandler.SSL_HANDLER) instanceof SslHandler ssl
                    ? String.valueOf(ssl.applicationProtocol()) : "plaintext";
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
    ListenerServerFactory servers;

    @Autowired
    InboundMutualTls inboundMutualTls;

    private EchoService echo;
    private WebServer inbound;
    private ManagedChannel channel;

    @BeforeAll
    static void blockHound() {
        BlockHound.install();
    }

    @BeforeEach
    void setUp() throws Exception {
        inboundSeen.clear();
        echo = new EchoService();
        inboundPort = FreePorts.next();
        inbound = servers.start(InetAddress.getByName("127.0.0.1"), inboundPort,
                List.of(inboundMutualTls.customizer(echo.port())));
        binding.bind(port, "outbound");
        binding.bind(inboundPort, "inbound");
        channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().overrideAuthority("echo")
                .build();
    }

    @AfterEach
    void tearDown() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        inbound.stop();
        echo.close();
    }

    /**
     * The outbound cluster {@code echo} (HTTP/2, ISTIO_MUTUAL) at the inbound listener, whose endpoint has
     * {@code serviceAccount}; the inbound listener (STRICT) forwards to the echo server over h2c.
     */
    private void serve(String serviceAccount) throws Exception {
        ClusterSpec outbound = new ClusterSpec("outbound|80||echo.default.svc.cluster.local",
                "echo.default.svc.cluster.local", 80, null, ClusterSpec.Discovery.STATIC,
                List.of(new EndpointSpec("127.0.0.1", inboundPort, Map.of(), 1, null, serviceAccount)),
                new TrafficPolicySpec(LoadBalancerSpec.DEFAULT, ConnectionPoolSpec.DEFAULT, null,
                        new ClientTlsSpec(TlsMode.ISTIO_MUTUAL, List.of(), null)),
                UpstreamProtocol.HTTP2)
                // as translation gives them: the endpoint's service account in the service's namespace
                .withServiceAccounts(List.of(new SpiffeId("cluster.local", "default", serviceAccount).uri()));
        ClusterSpec app = new ClusterSpec("inbound|" + echo.port() + "||", "echo.default.svc.cluster.local",
                echo.port(), null, ClusterSpec.Discovery.STATIC,
                List.of(new EndpointSpec("127.0.0.1", echo.port(), Map.of(), 1, null, null)),
                TrafficPolicySpec.DEFAULT, UpstreamProtocol.HTTP2);
        String v = "m" + versions.incrementAndGet();
        table.apply(new ProxyView(v, "s-" + v, List.of(listener("outbound", ListenerSpec.Direction.OUTBOUND, outbound),
                listener("inbound", ListenerSpec.Direction.INBOUND, app)), List.of(outbound, app),
                ProxyView.OutboundTrafficPolicy.REGISTRY_ONLY, NormalizationType.BASE, null, null,
                new AuthSpec(List.of(), List.of(), new PeerAuthenticationSpec(Mode.STRICT, Map.of()))));
    }

    private static ListenerSpec listener(String name, ListenerSpec.Direction direction, ClusterSpec cluster) {
        RouteSpec route = new RouteSpec(name + ".echo.0", null, List.of(),
                new RouteSpec.RouteAction(List.of(new WeightedCluster(cluster.name(), 100, null, null))), null, null,
                null, null, null, 0, null, null, List.of(), null);
        return new ListenerSpec(name, 0, direction, List.of(new VirtualHostSpec("echo", List.of("*"),
                List.of(route))));
    }

    private static CallOptions callOptions() {
        return CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    @Test
    void unaryCallCrossesTheMutualTlsHopInHttp2NegotiatedByAlpn() throws Exception {
        serve("echo");
        assertThat(ClientCalls.blockingUnaryCall(channel, EchoService.UNARY, callOptions(), "hi"))
                .isEqualTo("echo:hi");
        assertThat(ClientCalls.blockingUnaryCall(channel, EchoService.UNARY, callOptions(), "again"))
                .isEqualTo("echo:again");
        assertThat(inboundSeen).hasSize(2).allSatisfy(seen -> assertThat(seen).isEqualTo(new Seen("HTTP/2.0", "h2")));
    }

    @Test
    void bidirectionalStreamCrossesTheMutualTlsHopMessageByMessage() throws Exception {
        serve("echo");
        LinkedBlockingQueue<String> replies = new LinkedBlockingQueue<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        StreamObserver<String> requests = ClientCalls.asyncBidiStreamingCall(
                channel.newCall(EchoService.CHAT, callOptions()), new StreamObserver<>() {
                    @Override
                    public void onNext(String value) {
                        replies.add(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        done.complete(null);
                    }
                });
        requests.onNext("one");
        assertThat(replies.poll(20, TimeUnit.SECONDS)).isEqualTo("re:one");
        requests.onNext("two");
        assertThat(replies.poll(20, TimeUnit.SECONDS)).isEqualTo("re:two");
        requests.onCompleted();
        done.get(20, TimeUnit.SECONDS);
        assertThat(inboundSeen).containsExactly(new Seen("HTTP/2.0", "h2"));
    }

    @Test
    void serverWithAnotherIdentityThanTheEndpointsServiceAccountIsRefusedOverHttp2Too() throws Exception {
        serve("payments");
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
                () -> ClientCalls.blockingUnaryCall(channel, EchoService.UNARY, callOptions(), "x"));
        assertThat(e).isNotNull();
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(inboundSeen).isEmpty();
    }
}
