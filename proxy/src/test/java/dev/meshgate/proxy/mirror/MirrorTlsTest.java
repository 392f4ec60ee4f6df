package dev.meshgate.proxy.mirror;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

import dev.meshgate.core.networking.destinationrule.ClientTlsSettings.TlsMode;
import dev.meshgate.core.security.identity.SpiffeId;
import dev.meshgate.core.security.pki.CertificateIssuer;
import dev.meshgate.core.security.pki.CertificateRequest;
import dev.meshgate.core.view.ClientTlsSpec;
import dev.meshgate.core.view.ClusterSpec;
import dev.meshgate.core.view.ConnectionPoolSpec;
import dev.meshgate.core.view.EndpointSpec;
import dev.meshgate.core.view.LoadBalancerSpec;
import dev.meshgate.core.view.TrafficPolicySpec;
import dev.meshgate.proxy.cluster.ClusterRuntime;
import dev.meshgate.proxy.cluster.ClusterSet;
import dev.meshgate.proxy.security.WorkloadCertificateHolder;
import dev.meshgate.proxy.security.mtls.UpstreamMutualTls;
import dev.meshgate.proxy.security.origination.UpstreamTlsOrigination;

import io.netty.channel.Channel;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslHandler;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.Http2SslContextSpec;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.server.HttpServer;

/**
 * Mirror copies take their cluster's TLS, as the primary request does: real handshakes on loopback against a server
 * that speaks mutual TLS only (as a STRICT sidecar's inbound port), which records the HTTP version and the client
 * identity of each copy it receives.
 */
class MirrorTlsTest {

    private static final Instant NOW = Instant.now();
    private static final CertificateIssuer ROOT = CertificateIssuer.selfSignedRoot("mesh", NOW, Duration.ofDays(1));
    private static final SpiffeId CLIENT = new SpiffeId("cluster.local", "shop", "client");
    private static final SpiffeId WEB = new SpiffeId("cluster.local", "shop", "web");

    /** What the mirror server saw of one copy. */
    record Seen(String version, String clientIdentity, String host) {
    }

    private final Queue<Seen> seen = new ConcurrentLinkedQueue<>();
    private final MirrorClient plaintextCheck = new MirrorClient(8, Duration.ofSeconds(10));
    private @Nullable DisposableServer server;
    private @Nullable DisposableServer plaintext;

    @AfterEach
    void stop() {
        if (server != null) {
            server.disposeNow();
        }
        if (plaintext != null) {
            plaintext.disposeNow();
        }
    }

    @Test
    void anIstioMutualMirrorGetsItsCopyOverMutualTlsWithTheWorkloadIdentity() throws Exception {
        server = mutualTlsServer(WEB);
        MirrorClient client = new MirrorClient(8, Duration.ofSeconds(10), () -> new UpstreamMutualTls(holder()));

        client.send(copy(), cluster(server.port(), ClusterSpec.UpstreamProtocol.HTTP1, TlsMode.ISTIO_MUTUAL), exchange());

        await().atMost(Duration.ofSeconds(30)).until(() -> !seen.isEmpty());
        assertThat(seen.peek()).isEqualTo(new Seen("HTTP/1.1", CLIENT.uri(), "web-shadow"));
        assertThat(client.failed()).isZero();
    }

    @Test
    void anHttp2MirrorGetsItsCopyOverH2NegotiatedOnMutualTls() throws Exception {
        server = mutualTlsServer(WEB);
        MirrorClient client = new MirrorClient(8, Duration.ofSeconds(10), () -> new UpstreamMutualTls(holder()));

        client.send(copy(), cluster(server.port(), ClusterSpec.UpstreamProtocol.HTTP2, TlsMode.ISTIO_MUTUAL), exchange());

        await().atMost(Duration.ofSeconds(30)).until(() -> !seen.isEmpty());
        assertThat(seen.peek()).isEqualTo(new Seen("HTTP/2.0", CLIENT.uri(), "web-shadow"));
    }

    @Test
    void autoMutualTlsReachesAMeshEndpointOfAMirrorWithoutTls() throws Exception {
        server = mutualTlsServer(WEB);
        MirrorClient client = new MirrorClient(8, Duration.ofSeconds(10), () -> new UpstreamMutualTls(holder()));

        client.send(copy(), cluster(server.port(), ClusterSpec.UpstreamProtocol.HTTP1, null), exchange());

        await().atMost(Duration.ofSeconds(30)).until(() -> !seen.isEmpty());
        assertThat(seen.peek().clientIdentity()).isEqualTo(CLIENT.uri());
    }

    @Test
    void aMirrorServerWithoutTheClustersIdentityGetsNoCopy() throws Exception {
        server = mutualTlsServer(new SpiffeId("cluster.local", "shop", "billing"));
        MirrorClient client = new MirrorClient(8, Duration.ofSeconds(10), () -> new UpstreamMutualTls(holder()));

        client.send(copy(), cluster(server.port(), ClusterSpec.UpstreamProtocol.HTTP1, TlsMode.ISTIO_MUTUAL), exchange());

        await().atMost(Duration.ofSeconds(30)).until(() -> client.failed() == 1);
        assertThat(seen).isEmpty();
    }

    @Test
    void aCopyWhoseTlsCannotBeSetUpIsDroppedNotSentInPlaintext() throws Exception {
        plaintext = HttpServer.create().host("127.0.0.1").port(0)
                .handle((request, response) -> {
                    seen.add(new Seen(request.version().text(), "none", request.requestHeaders().get("host")));
                    return response.sendString(Mono.just("ok"));
                })
                .bindNow();
        // SIMPLE origination whose certificates were never loaded: the primary request fails as a connect failure
        try (UpstreamTlsOrigination origination = new UpstreamTlsOrigination(
                Files.createTempDirectory("mirror-tls"), Duration.ZERO)) {
            MirrorClient client = new MirrorClient(8, Duration.ofSeconds(10),
                    () -> new UpstreamMutualTls(null, origination));
            ClusterRuntime simple = cluster(plaintext.port(), ClusterSpec.UpstreamProtocol.HTTP1, TlsMode.SIMPLE);

            client.send(copy(), simple, exchange());

            assertThat(client.notSecured()).isEqualTo(1);
            assertThat(client.sent()).isZero();
            assertThat(client.inFlight()).isZero();
        }
        // the same cluster's copy without TLS reaches the server: it would have seen a plaintext copy
        plaintextCheck.send(copy(), cluster(plaintext.port(), ClusterSpec.UpstreamProtocol.HTTP1, TlsMode.SIMPLE),
                exchange());
        await().atMost(Duration.ofSeconds(30)).until(() -> seen.size() == 1);
    }

    private static WorkloadCertificateHolder holder() {
        WorkloadCertificateHolder holder = new WorkloadCertificateHolder(List.of(ROOT.root()));
        KeyPair keys = CertificateRequest.generateKeyPair();
        holder.update(keys.getPrivate(), ROOT.issue(keys.getPublic(), CLIENT, NOW, Duration.ofHours(1)),
                List.of(ROOT.root()));
        return holder;
    }

    /** An HTTP/1.1 and h2 server on TLS that requires a mesh client certificate and presents one for {@code id}. */
    private DisposableServer mutualTlsServer(SpiffeId identity) throws Exception {
        KeyPair keys = CertificateRequest.generateKeyPair();
        X509Certificate[] chain = ROOT.issue(keys.getPublic(), identity, NOW, Duration.ofHours(1))
                .toArray(X509Certificate[]::new);
        var context = Http2SslContextSpec.forServer(keys.getPrivate(), chain)
                .configure(b -> b.trustManager(ROOT.root()).clientAuth(ClientAuth.REQUIRE));
        return HttpServer.create().host("127.0.0.1").port(0)
                .protocol(HttpProtocol.HTTP11, HttpProtocol.H2)
                .secure(spec -> spec.sslContext(context))
                .handle((request, response) -> {
                    request.withConnection(connection -> seen.add(new Seen(request.version().text(),
                            clientIdentity(connection.channel()), request.requestHeaders().get("host"))));
                    return response.sendString(Mono.just("ok"));
                })
                .bindNow();
    }

    /** The URI SAN of the client certificate (on HTTP/2 the TLS handler is on the parent channel). */
    private static String clientIdentity(Channel channel) {
        SslHandler ssl = channel.pipeline().get(SslHandler.class);
        if (ssl == null && channel.parent() != null) {
            ssl = channel.parent().pipeline().get(SslHandler.class);
        }
        SSLSession session = ssl.engine().getSession();
        try {
            X509Certificate peer = (X509Certificate) session.getPeerCertificates()[0];
            for (List<?> san : peer.getSubjectAlternativeNames()) {
                if (Integer.valueOf(6).equals(san.get(0))) {
                    return String.valueOf(san.get(1));
                }
            }
            return "no URI SAN";
        } catch (SSLPeerUnverifiedException | java.security.cert.CertificateParsingException e) {
            return "none";
        }
    }

    /** The mirror cluster {@code web} (service account web in shop) with one endpoint labelled for the mesh. */
    private static ClusterRuntime cluster(int port, ClusterSpec.UpstreamProtocol protocol, @Nullable TlsMode mode) {
        ClientTlsSpec tls = mode == null ? null : new ClientTlsSpec(mode, List.of(), null);
        ClusterSpec spec = new ClusterSpec("web", "web", 80, null, ClusterSpec.Discovery.STATIC,
                List.of(new EndpointSpec("127.0.0.1", port, Map.of(ClientTlsSpec.TLS_MODE_LABEL, "istio"), 1, null,
                        "web")),
                new TrafficPolicySpec(LoadBalancerSpec.DEFAULT, ConnectionPoolSpec.DEFAULT, null, tls), protocol,
                false, List.of(WEB.uri()));
        return ClusterSet.of(ClusterSet.EMPTY, List.of(spec)).get("web");
    }

    private static MockServerWebExchange exchange() {
        return MockServerWebExchange.from(MockServerHttpRequest.get("http://web/x").header("Host", "web"));
    }

    private static MirrorRequest copy() {
        return MirrorRequest.of(exchange().getRequest(), new byte[0]);
    }
}
