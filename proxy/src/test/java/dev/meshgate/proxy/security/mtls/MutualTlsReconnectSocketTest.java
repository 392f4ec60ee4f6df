package dev.meshgate.proxy.security.mtls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshgate.testing.FreePorts;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import java.security.cert.X509Certificate;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;

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

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.ssl.SslHandler;
import reactor.blockhound.BlockHound;
import reactor.netty.Connection;

import dev.meshgate.core.mesh.MeshConfig.ProxyPathNormalization.NormalizationType;
import dev.meshgate.core.networking.destinationrule.ClientTlsSettings.TlsMode;
import dev.meshgate.core.security.PeerAuthentication.Mode;
import dev.meshgate.core.security.identity.SpiffeId;
import dev.meshgate.core.security.pki.CertificateChains;
import dev.meshgate.core.security.pki.CertificateIssuer;
import dev.meshgate.core.security.pki.CertificateRequest;
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
import dev.meshgate.proxy.testapp.Backend;
import dev.meshgate.proxy.testapp.TestListenerBinding;
import dev.meshgate.proxy.testapp.TestProxyApplication;

/**
 * Connections of an ISTIO_MUTUAL HTTP/1.1 cluster, with real handshakes on loopback: the proxy's outbound cluster
 * reaches its own inbound listener (STRICT), which forwards to a backend, and the inbound side records the TLS
 * session of each request it serves and counts the TLS records it writes.
 */
@SpringBootTest(classes = {TestProxyApplication.class, MutualTlsReconnectSocketTest.Config.class},
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.address=127.0.0.1", "spring.main.banner-mode=off",
                "meshgate.proxy.name=client-v1-1", "meshgate.proxy.discovery-address=127.0.0.1:9"})
class MutualTlsReconnectSocketTest {

    private static final Instant NOW = Instant.now();
    private static final CertificateIssuer ROOT = CertificateIssuer.selfSignedRoot("mesh", NOW, Duration.ofDays(1));
    private static final SpiffeId ECHO = new SpiffeId("cluster.local", "default", "echo");

    /** The TLS session of each request the inbound listener served. */
    private static final Queue<SSLSession> inboundSessions = new ConcurrentLinkedQueue<>();
    /** TLS application data records the inbound listener wrote since the counter was last reset. */
    private static final AtomicInteger inboundRecords = new AtomicInteger();
    /** Writes to the inbound connections' sockets (each a system call) since the counter was last reset. */
    private static final AtomicInteger inboundSocketWrites = new AtomicInteger();
    private static volatile int inboundPort;

    @TestConfiguration
    static class Config {
        @Bean
        ProxyIdentity proxyIdentity() {
            return new ProxyIdentity("client-v1-1", "default", ProxyKind.SIDECAR, Map.of("app", "client"), "client");
        }

        @Bean
        WorkloadCertificateHolder testWorkloadCertificates() {
            WorkloadCertificateHolder holder = new WorkloadCertificateHolder(List.of(ROOT.root()));
            KeyPair keys = CertificateRequest.generateKeyPair();
            holder.update(keys.getPrivate(), ROOT.issue(keys.getPublic(), ECHO, NOW, Duration.ofHours(1)),
                    List.of(ROOT.root()));
            return holder;
        }

        @Bean
        WebFilter inboundSessionRecorder() {
            return (exchange, chain) -> {
                if (exchange.getRequest().getLocalAddress() != null
                        && exchange.getRequest().getLocalAddress().getPort() == inboundPort
                        && ServerHttpRequestDecorator.getNativeRequest(exchange.getRequest())
                                instanceof Connection connection
                        && connection.channel().pipeline().get(PeerAuthenticationHandler.SSL_HANDLER)
                                instanceof SslHandler ssl) {
                    inboundSessions.add(ssl.engine().getSession());
                    if (connection.channel().pipeline().get(RecordCounter.class) == null) {
                        connection.channel().pipeline().addFirst(new RecordCounter());
                    }
                }
                return chain.filter(exchange);
            };
        }
    }

    /**
     * Next to the socket, below the TLS handler: counts the application data records (content type 23) in what is
     * written and the flushes that send bytes to the socket (a write system call each).
     */
    static final class RecordCounter extends ChannelOutboundHandlerAdapter {
        private boolean unflushed;

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
            if (msg instanceof ByteBuf bytes) {
                unflushed |= bytes.isReadable();
                for (int i = bytes.readerIndex(); i + 5 <= bytes.writerIndex(); i += 5 + bytes.getUnsignedShort(i + 3)) {
                    if (bytes.getUnsignedByte(i) == 23) {
                        inboundRecords.incrementAndGet();
                    }
                }
            }
            super.write(ctx, msg, promise);
        }

        @Override
        public void flush(ChannelHandlerContext ctx) throws Exception {
            if (unflushed) {
                unflushed = false;
                inboundSocketWrites.incrementAndGet();
            }
            super.flush(ctx);
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

    @Autowired
    WorkloadCertificateHolder certificates;

    private Backend backend;
    private WebServer inbound;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void blockHound() {
        BlockHound.install();
    }

    @BeforeEach
    void setUp() throws Exception {
        inboundSessions.clear();
        backend = new Backend("echo");
        inboundPort = FreePorts.next();
        inbound = servers.start(InetAddress.getByName("127.0.0.1"), inboundPort,
                List.of(inboundMutualTls.customizer(backend.port())));
        binding.bind(port, "outbound");
        binding.bind(inboundPort, "inbound");
    }

    @AfterEach
    void tearDown() {
        inbound.stop();
        backend.close();
    }

    private void serve(ConnectionPoolSpec pool) throws Exception {
        ClusterSpec outbound = new ClusterSpec("outbound|80||echo.default.svc.cluster.local",
                "echo.default.svc.cluster.local", 80, null, ClusterSpec.Discovery.STATIC,
                List.of(new EndpointSpec("127.0.0.1", inboundPort, Map.of(), 1, null, "echo")),
                new TrafficPolicySpec(LoadBalancerSpec.DEFAULT, pool, null,
                        new ClientTlsSpec(TlsMode.ISTIO_MUTUAL, List.of(), null)),
                UpstreamProtocol.HTTP1)
                .withServiceAccounts(List.of(ECHO.uri()));
        ClusterSpec app = new ClusterSpec("inbound|" + backend.port() + "||", "echo.default.svc.cluster.local",
                backend.port(), null, ClusterSpec.Discovery.STATIC,
                List.of(new EndpointSpec("127.0.0.1", backend.port(), Map.of(), 1, null, null)),
                TrafficPolicySpec.DEFAULT, UpstreamProtocol.HTTP1);
        String v = "r" + versions.incrementAndGet();
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

    private HttpResponse<String> get() throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * A full mutual handshake costs the JDK ~5.8 ms of CPU per pair of sides (docs/performance.md), on the event
     * loops of both proxies: a reconnect to an endpoint reached before resumes the session instead (TLS 1.3 PSK with
     * a fresh key exchange), which needs the cluster's TLS client, and so its session cache, to outlive its
     * connections, and the endpoint's address given to each handshake. The resumed session keeps the client's
     * verified certificate, so the inbound side still knows its peer's SPIFFE identity.
     */
    @Test
    void newUpstreamConnectionsResumeTheFirstMutualTlsSession() throws Exception {
        serve(new ConnectionPoolSpec(Integer.MAX_VALUE, 10_000, Integer.MAX_VALUE, Integer.MAX_VALUE, 1,
                Integer.MAX_VALUE, 3_600_000));

        for (int i = 0; i < 4; i++) {
            assertThat(get().statusCode()).isEqualTo(200);
        }

        List<SSLSession> sessions = List.copyOf(inboundSessions);
        assertThat(sessions).hasSize(4);
        // One connection each (maxRequestsPerConnection: 1), each its own session...
        assertThat(sessions.stream().map(s -> HexFormat.of().formatHex(s.getId())).distinct()).hasSize(4);
        // ...resumed from the first: the JDK gives a resumed session the creation time of the one it resumes.
        assertThat(sessions).extracting(SSLSession::getCreationTime).containsOnly(sessions.get(0).getCreationTime());
        for (SSLSession session : sessions) {
            assertThat(CertificateChains.spiffeId((X509Certificate) session.getPeerCertificates()[0]))
                    .isEqualTo(ECHO);
        }
        assertThat(backend.requests()).isEqualTo(4);
    }

    /**
     * Mesh connections use AES-128-GCM, as two Envoys would (BoringSSL's TLS 1.3 order): the JDK's own order starts
     * with AES-256-GCM, which costs more per record on both sides. Netty's default TLS 1.3 list for the JDK already
     * started with AES-128-GCM; this guards the order {@code MeshCipherSuites} now states.
     */
    @Test
    void meshConnectionsNegotiateAes128Gcm() throws Exception {
        serve(ConnectionPoolSpec.DEFAULT);

        assertThat(get().statusCode()).isEqualTo(200);

        assertThat(inboundSessions).singleElement().satisfies(session -> {
            assertThat(session.getProtocol()).isEqualTo("TLSv1.3");
            assertThat(session.getCipherSuite()).isEqualTo("TLS_AES_128_GCM_SHA256");
        });
    }

    /**
     * A TLS 1.2 peer gets Istio's server-side list from the inbound listener: AES-256-GCM first (a JDK client offering
     * its own order gets it) and no ChaCha20 (a client offering only that is refused), where Envoy's client default
     * would have offered both.
     */
    @Test
    void theInboundListenerOffersIstiosTls12Suites() throws Exception {
        serve(ConnectionPoolSpec.DEFAULT);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(new KeyManager[] {certificates.keyManager()}, new TrustManager[] {certificates.trustManager()}, null);

        try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", inboundPort)) {
            socket.setEnabledProtocols(new String[] {"TLSv1.2"});
            socket.startHandshake();
            assertThat(socket.getSession().getCipherSuite()).isEqualTo("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384");
        }
        try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", inboundPort)) {
            socket.setEnabledProtocols(new String[] {"TLSv1.2"});
            socket.setEnabledCipherSuites(new String[] {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"});
            assertThatThrownBy(socket::startHandshake).isInstanceOf(javax.net.ssl.SSLException.class);
        }
    }

    /**
     * A proxied response's headers and body are written apart (Reactor Netty flushes the headers, then each body
     * chunk once the head's write has completed); over TLS each flush is a record of its own, encrypted and
     * authenticated apart (a cipher set-up, a GHASH and a tag each), and a socket write of its own, decrypted apart by
     * the peer. On the inbound listener's TLS connections a response leaves in one record and one write.
     */
    @Test
    void aProxiedResponseLeavesTheInboundListenerInOneTlsRecordAndOneSocketWrite() throws Exception {
        serve(ConnectionPoolSpec.DEFAULT);
        assertThat(get().statusCode()).isEqualTo(200);
        // From the second request on: the first one's connection also carried the handshake's session ticket.
        inboundRecords.set(0);
        inboundSocketWrites.set(0);

        for (int i = 0; i < 10; i++) {
            HttpResponse<String> response = get();
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("echo");
        }

        assertThat(inboundSessions).hasSize(11);
        // Two each before; a response whose body reaches the proxy in a later read than its head still takes two,
        // which on a loaded machine a few may.
        assertThat(inboundRecords.get()).as("TLS records of 10 responses").isLessThanOrEqualTo(13);
        assertThat(inboundSocketWrites.get()).as("socket writes of 10 responses").isLessThanOrEqualTo(13);
    }
}
