package dev.meshgate.proxy.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLException;

import dev.meshgate.core.discovery.Ack;
import dev.meshgate.core.discovery.TrustBundle;
import dev.meshgate.core.security.identity.BootstrapCredentials;
import dev.meshgate.core.security.identity.SpiffeId;
import dev.meshgate.core.security.pki.CertificateChains;
import dev.meshgate.core.security.pki.CertificateIssuer;
import dev.meshgate.core.security.pki.CertificateRequest;
import dev.meshgate.core.security.pki.Pem;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.ProxyKind;
import dev.meshgate.proxy.discovery.DiscoveryClient;
import dev.meshgate.proxy.discovery.TestControlPlane;
import dev.meshgate.proxy.discovery.TestViews;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.ConnectionProvider;
import tools.jackson.databind.json.JsonMapper;

/**
 * A root rotation seen by running proxies, with real TLS handshakes on loopback: a CA on loopback answers CSRs and
 * {@code GET /v1/trust-bundle} as the control plane's does, and switches from root A to a plug-in CA under root B
 * while its bundle holds both; the proxies' rotators read the bundle and their certificates are re-issued from B one
 * at a time, and mutual TLS between an A-certified and a B-certified proxy holds through the overlap. Once A leaves
 * the bundle a certificate of A is refused, and a proxy still holding one renews it at once.
 */
class RootRotationTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final Instant NOW = Instant.now();
    static final CertificateIssuer ROOT_A = CertificateIssuer.selfSignedRoot("root A", NOW, Duration.ofDays(10));
    static final CertificateIssuer ROOT_B = CertificateIssuer.selfSignedRoot("root B", NOW, Duration.ofDays(10));
    static final CertificateIssuer PLUG_IN_B = ROOT_B.intermediate("plug-in B", NOW, Duration.ofDays(5));
    static final SpiffeId WEB = new SpiffeId("cluster.local", "shop", "web");
    static final SpiffeId CLIENT = new SpiffeId("cluster.local", "shop", "client");
    static final SpiffeId LATE = new SpiffeId("cluster.local", "shop", "late");

    @TempDir
    Path dir;

    volatile CertificateIssuer signer = ROOT_A;
    volatile List<X509Certificate> bundle = List.of(ROOT_A.root());
    /** The CA's own serving certificate, renewed as the control plane's is. */
    final WorkloadCertificateHolder caServing = new WorkloadCertificateHolder(List.of(ROOT_A.root()));
    final List<AutoCloseable> closing = new ArrayList<>();
    DisposableServer ca;
    /** TCP connections the CA accepted, and trust-bundle reads it answered. */
    final java.util.concurrent.atomic.AtomicInteger caConnections = new java.util.concurrent.atomic.AtomicInteger();
    final java.util.concurrent.atomic.AtomicInteger bundleReads = new java.util.concurrent.atomic.AtomicInteger();

    @AfterEach
    void stop() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    void startCa() {
        serveCaWith(ROOT_A);
        ca = HttpServer.create().host("127.0.0.1").port(0)
                .secure(spec -> spec.sslContext(caServing.serverContext(ClientAuth.OPTIONAL)))
                .doOnChannelInit((observer, channel, address) -> caConnections.incrementAndGet())
                .route(routes -> routes
                        .get("/v1/trust-bundle", (request, response) -> response.sendString(Mono.fromCallable(
                                () -> {
                                    bundleReads.incrementAndGet();
                                    return JSON.writeValueAsString(Map.of("rootCert", Pem.encodeCertificates(bundle)));
                                })))
                        .post("/v1/certificates", (request, response) -> request.receive().aggregate().asString()
                                .flatMap(body -> response.sendString(Mono.fromCallable(() -> sign(body))
                                        .subscribeOn(Schedulers.boundedElastic())).then())))
                .bindNow();
        closing.add(ca::disposeNow);
    }

    /** The identity is the CSR's own here: proving it is the control plane's business, tested there. */
    String sign(String body) throws Exception {
        var csr = CertificateRequest.parse(JSON.readTree(body).path("csr").asString());
        SpiffeId identity = SpiffeId.parse(csr.uriSans().get(0));
        List<X509Certificate> chain = signer.issueServer(csr.publicKey(), identity, List.of(), List.of("127.0.0.1"),
                Instant.now(), Duration.ofHours(1));
        return JSON.writeValueAsString(Map.of("certificateChain", Pem.encodeCertificates(chain),
                "rootCert", Pem.encodeCertificates(bundle)));
    }

    void serveCaWith(CertificateIssuer issuer) {
        KeyPair keys = CertificateRequest.generateKeyPair();
        caServing.update(keys.getPrivate(), issuer.issueServer(keys.getPublic(),
                new SpiffeId("cluster.local", "istio-system", "istiod"), List.of(), List.of("127.0.0.1"),
                Instant.now(), Duration.ofHours(1)), bundle);
    }

    /** A proxy: its holder trusting the roots it was bootstrapped with, and its rotator. */
    record Proxy(WorkloadCertificateHolder holder, CertificateRotator rotator, DisposableServer server) {

        X509Certificate root() {
            List<X509Certificate> chain = holder.current().chain();
            return chain.get(chain.size() - 1);
        }
    }

    Proxy startProxy(SpiffeId identity) throws Exception {
        return startProxy(identity, Duration.ofMillis(200));
    }

    Proxy startProxy(SpiffeId identity, Duration trustBundleInterval) throws Exception {
        Path credentials = Files.createDirectories(dir.resolve(identity.serviceAccount()));
        Files.writeString(credentials.resolve("token"), "token");
        Files.writeString(credentials.resolve("root-cert.pem"), Pem.encodeCertificates(bundle));
        BootstrapCredentials bootstrap = CredentialsDirectory.read(credentials, identity, "127.0.0.1:" + ca.port());
        WorkloadCertificateHolder holder = new WorkloadCertificateHolder(Pem.certificates(bootstrap.rootCert()));
        CertificateRotator rotator = new CertificateRotator(holder, bootstrap, () -> "token", identity, null,
                Clock.systemUTC(), trustBundleInterval);
        rotator.start();
        closing.add(rotator::stop);
        rotator.firstCertificate().block(Duration.ofSeconds(20));
        // The inbound side as a sidecar's: its key manager, mesh peers only, a client certificate required.
        SslContext inbound = SslContextBuilder.forServer(holder.keyManager()).trustManager(holder.peerTrustManager())
                .clientAuth(ClientAuth.REQUIRE).build();
        DisposableServer server = HttpServer.create().host("127.0.0.1").port(0)
                .secure(spec -> spec.sslContext(inbound))
                .handle((request, response) -> response.sendString(Mono.just(identity.uri())))
                .bindNow();
        closing.add(server::disposeNow);
        return new Proxy(holder, rotator, server);
    }

    /** One request from {@code client} to {@code server} over a new mutual TLS connection. */
    static String call(WorkloadCertificateHolder client, Proxy server) throws SSLException {
        SslContext outbound = SslContextBuilder.forClient().keyManager(client.keyManager())
                .trustManager(client.peerTrustManager()).build();
        return HttpClient.create(ConnectionProvider.newConnection()).secure(spec -> spec.sslContext(outbound))
                .get().uri("https://127.0.0.1:" + server.server().port() + "/")
                .responseContent().aggregate().asString().block(Duration.ofSeconds(10));
    }

    static void mutualTlsBothWays(Proxy one, Proxy other) throws SSLException {
        assertThat(call(one.holder(), other)).isEqualTo(other.holder().current().identity().uri());
        assertThat(call(other.holder(), one)).isEqualTo(one.holder().current().identity().uri());
    }

    @Test
    void proxiesCertifiedByTheOldAndTheNewRootTalkDuringTheOverlapAndTheOldRootIsRefusedOnceRemoved()
            throws Exception {
        startCa();
        Proxy web = startProxy(WEB);
        Proxy client = startProxy(CLIENT);
        Proxy late = startProxy(LATE);
        mutualTlsBothWays(web, client);

        // The operator plugs in a CA under root B, root-cert.pem holding A and B.
        signer = PLUG_IN_B;
        bundle = List.of(ROOT_A.root(), ROOT_B.root());
        caServing.updateRoots(bundle);
        await().atMost(Duration.ofSeconds(30)).until(() -> web.holder().roots().size() == 2
                && client.holder().roots().size() == 2 && late.holder().roots().size() == 2);
        assertThat(web.root()).as("the bundle alone renews nothing").isEqualTo(ROOT_A.root());

        web.rotator().rotateNow();
        await().atMost(Duration.ofSeconds(30)).until(() -> web.root().equals(ROOT_B.root()));
        assertThat(client.root()).isEqualTo(ROOT_A.root());
        mutualTlsBothWays(web, client);

        client.rotator().rotateNow();
        await().atMost(Duration.ofSeconds(30)).until(() -> client.root().equals(ROOT_B.root()));
        mutualTlsBothWays(web, client);
        assertThat(late.root()).isEqualTo(ROOT_A.root());
        mutualTlsBothWays(late, web);

        // Root A leaves the bundle: the CA serves a certificate of B, proxies trust B only.
        bundle = List.of(ROOT_B.root());
        serveCaWith(PLUG_IN_B);
        await().atMost(Duration.ofSeconds(30)).until(() -> web.holder().roots().equals(List.of(ROOT_B.root()))
                && client.holder().roots().equals(List.of(ROOT_B.root())));
        mutualTlsBothWays(web, client);
        // The proxy that still held a certificate of A renewed it at once.
        await().atMost(Duration.ofSeconds(30)).until(() -> late.root().equals(ROOT_B.root()));
        mutualTlsBothWays(late, web);

        // A certificate of A is refused, by a server and by a client.
        WorkloadCertificateHolder stale = new WorkloadCertificateHolder(List.of(ROOT_A.root(), ROOT_B.root()));
        KeyPair keys = CertificateRequest.generateKeyPair();
        stale.update(keys.getPrivate(), ROOT_A.issueServer(keys.getPublic(), CLIENT, List.of(), List.of("127.0.0.1"),
                NOW, Duration.ofHours(1)), List.of(ROOT_A.root(), ROOT_B.root()));
        assertThat(catchThrowable(() -> call(stale, web))).as("a client certified by A").isNotNull();
        SslContext staleServer = SslContextBuilder.forServer(stale.keyManager()).build();
        DisposableServer staleWeb = HttpServer.create().host("127.0.0.1").port(0)
                .secure(spec -> spec.sslContext(staleServer)).handle((request, response) -> response.send())
                .bindNow();
        closing.add(staleWeb::disposeNow);
        assertThat(catchThrowable(() -> call(web.holder(), new Proxy(stale, web.rotator(), staleWeb))))
                .as("a server certified by A").isNotNull();
        assertThat(CertificateChains.spiffeId(web.holder().current().certificate())).isEqualTo(WEB);
    }

    @Test
    void aTrustBundleAnnouncedOnTheDiscoveryStreamIsTakenUpLongBeforeThePoll() throws Exception {
        startCa();
        Proxy web = startProxy(WEB, Duration.ofHours(1));
        TestControlPlane plane = new TestControlPlane(0, TestViews.empty("v1"));
        closing.add(plane);
        DiscoveryClient discovery = new DiscoveryClient(DiscoveryClient.webSocketClient(),
                java.net.URI.create("ws://127.0.0.1:" + plane.port() + "/v1/discovery"),
                new ProxyIdentity("web-1", "shop", ProxyKind.SIDECAR, Map.of(), "web"), view -> view,
                Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(10));
        discovery.onTrustBundle(web.rotator()::trustBundleAnnounced);
        discovery.start();
        closing.add(discovery::stop);
        plane.next(Ack.class);

        // The announcement of the bundle the proxy holds reads nothing.
        plane.send(TrustBundle.of(List.of(ROOT_A.root())));
        bundle = List.of(ROOT_A.root(), ROOT_B.root());
        caServing.updateRoots(bundle);
        plane.send(TrustBundle.of(bundle));

        await().atMost(Duration.ofSeconds(10)).until(() -> web.holder().roots().size() == 2);
        assertThat(web.holder().roots()).containsExactlyInAnyOrder(ROOT_A.root(), ROOT_B.root());
    }

    @Test
    void theTrustBundleIsReadAgainOverOneKeptConnectionNotAHandshakeEachTime() throws Exception {
        startCa();
        startProxy(CLIENT, Duration.ofMillis(100));

        await().atMost(Duration.ofSeconds(30)).until(() -> bundleReads.get() >= 5);

        // One for the certificate's request (a new connection per request, by design), one kept for every read.
        assertThat(caConnections.get()).as("TCP connections to the CA after %d trust-bundle reads", bundleReads.get())
                .isEqualTo(2);
    }
}
