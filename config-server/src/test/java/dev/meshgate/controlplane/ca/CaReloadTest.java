package dev.meshgate.controlplane.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import dev.meshgate.controlplane.ConfigServerApplication;
import dev.meshgate.core.discovery.DiscoveryCodec;
import dev.meshgate.core.discovery.Hello;
import dev.meshgate.core.discovery.TrustBundle;
import dev.meshgate.core.security.identity.SpiffeId;
import dev.meshgate.core.security.pki.CertificateChains;
import dev.meshgate.core.security.pki.CertificateIssuer;
import dev.meshgate.core.security.pki.CertificateRequest;
import dev.meshgate.core.security.pki.Pem;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.ProxyKind;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.reactive.socket.client.ReactorNettyWebSocketClient;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The control plane's CA while it runs, with real TLS handshakes on loopback: its own TLS certificate renewed before
 * it expires under a connected proxy's stream, and a plug-in CA under a new root written over {@code cacerts}
 * (Istio's root rotation) taken up without a restart.
 */
class CaReloadTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final Duration SERVING_TTL = Duration.ofSeconds(4);

    @TempDir
    static Path configDir;
    @TempDir
    static Path caDir;

    @TempDir
    static Path shortLivedConfigDir;
    @TempDir
    static Path shortLivedCaDir;

    static ConfigurableApplicationContext context;
    /** A control plane whose TLS port's certificate lives {@link #SERVING_TTL}. */
    static ConfigurableApplicationContext shortLived;
    static int port;

    @BeforeAll
    static void startControlPlane() {
        // The TLS port's certificate lives a year here: a renewal at half-life issues from the CA of the moment,
        // which during a rotation would be the new root's before the test's proxies trust it.
        context = controlPlane(configDir, caDir);
        port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
        // Both run until the class ends: closing one would dispose Reactor Netty's shared resources under the other.
        shortLived = controlPlane(shortLivedConfigDir, shortLivedCaDir,
                "--meshgate.control-plane.serving-cert-ttl=" + SERVING_TTL.toSeconds() + "s");
    }

    static ConfigurableApplicationContext controlPlane(Path config, Path ca, String... more) {
        List<String> args = new ArrayList<>(List.of("--meshgate.control-plane.config-dir=" + config,
                "--meshgate.control-plane.port=0", "--meshgate.control-plane.tls-port=0",
                "--meshgate.control-plane.ca-dir=" + ca, "--meshgate.control-plane.ca-reload-interval=200ms"));
        args.addAll(List.of(more));
        return new SpringApplicationBuilder(ConfigServerApplication.class).run(args.toArray(String[]::new));
    }

    @AfterAll
    static void stop() {
        shortLived.close();
        context.close();
    }

    @Test
    void theTlsPortsCertificateIsRenewedBeforeItExpiresAndAConnectedProxyStaysConnected() throws Exception {
        CaEndpointsTest.port = Integer.parseInt(shortLived.getEnvironment().getProperty("local.server.port"));
        CaEndpointsTest.Workload web = CaEndpointsTest.workload("web-1", "shop", "web");
        List<X509Certificate> roots = CaEndpointsTest.roots(web.credential());
        String address = web.credential().get("discoveryAddress").asString();
        X509Certificate first = servedCertificate(address, roots);
        AtomicReference<String> closed = new AtomicReference<>();
        List<String> frames = new java.util.concurrent.CopyOnWriteArrayList<>();
        Disposable stream = new ReactorNettyWebSocketClient(CaEndpointsTest.tls(roots, web.keys(), web.chain()))
                .execute(URI.create("wss://" + address + "/v1/discovery"), session -> session
                        .send(Mono.just(session.textMessage(DiscoveryCodec.encode(new Hello(
                                new ProxyIdentity("web-1", "shop", ProxyKind.SIDECAR, Map.of(), "web"), null, null)))))
                        .thenMany(session.receive().doOnNext(frame -> frames.add(frame.getPayloadAsText())))
                        .then(session.closeStatus().map(String::valueOf).defaultIfEmpty("closed")
                                .doOnNext(closed::set).then()))
                .subscribe(null, e -> closed.set(e.toString()));
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> !frames.isEmpty());
            assertThat(Duration.between(Instant.now(), first.getNotAfter().toInstant())).isLessThan(SERVING_TTL);

            List<X509Certificate> served = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                X509Certificate now = servedCertificate(address, roots);
                if (served.isEmpty() || !served.get(served.size() - 1).equals(now)) {
                    served.add(now);
                }
                return served.size() >= 3 && Instant.now().isAfter(first.getNotAfter().toInstant());
            });

            assertThat(served.get(1).getSerialNumber()).isNotEqualTo(first.getSerialNumber());
            // Renewed at half of its life: never served past its end.
            for (X509Certificate certificate : served) {
                assertThat(certificate.getNotAfter().toInstant()).isAfter(Instant.now().minusSeconds(1));
            }
            assertThat(closed.get()).as("the stream opened under the first certificate, expired by now").isNull();
        } finally {
            stream.dispose();
        }
    }

    @Test
    void aPlugInCaUnderANewRootIsTakenUpWhileRunningAndTheOldRootIsRefusedOnceRemoved() throws Exception {
        CaEndpointsTest.port = port;
        JsonNode credential = CaEndpointsTest.credential("web-2", "shop", "web");
        CertificateIssuer rootA = CaDirectory.read(caDir, Instant.now());
        List<X509Certificate> bundleA = trustBundle(credential, List.of(rootA.root()));
        assertThat(bundleA).containsExactly(rootA.root());
        // A proxy connected before the rotation: the stream announces each bundle.
        CaEndpointsTest.Workload connected = CaEndpointsTest.workload("web-4", "shop", "web");
        List<String> frames = new java.util.concurrent.CopyOnWriteArrayList<>();
        Disposable stream = stream(connected, new ProxyIdentity("web-4", "shop", ProxyKind.SIDECAR, Map.of(), "web"),
                frames);
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> !frames.isEmpty());
            rotateToPlugInCaB(credential, rootA, bundleA, frames);
        } finally {
            stream.dispose();
        }
    }

    /** The stream of a proxy of {@code workload}: its hello, then every frame received into {@code frames}. */
    static Disposable stream(CaEndpointsTest.Workload workload, ProxyIdentity identity, List<String> frames) {
        List<X509Certificate> roots = CaEndpointsTest.roots(workload.credential());
        String address = workload.credential().get("discoveryAddress").asString();
        return new ReactorNettyWebSocketClient(CaEndpointsTest.tls(roots, workload.keys(), workload.chain()))
                .execute(URI.create("wss://" + address + "/v1/discovery"), session -> session
                        .send(Mono.just(session.textMessage(DiscoveryCodec.encode(new Hello(identity, null, null)))))
                        .thenMany(session.receive().doOnNext(frame -> frames.add(frame.getPayloadAsText())))
                        .then())
                .subscribe();
    }

    private void rotateToPlugInCaB(JsonNode credential, CertificateIssuer rootA, List<X509Certificate> bundleA,
            List<String> frames) throws Exception {

        CertificateIssuer rootB = CertificateIssuer.selfSignedRoot("root B", Instant.now(), Duration.ofDays(10));
        CertificateIssuer plugInB = rootB.intermediate("plug-in B", Instant.now(), Duration.ofDays(5));
        write(CaDirectory.CA_KEY, Pem.encodePrivateKey(plugInB.key()));
        write(CaDirectory.CA_CERT, Pem.encodeCertificates(List.of(plugInB.certificate())));
        write(CaDirectory.CERT_CHAIN, Pem.encodeCertificates(plugInB.chain()));
        write(CaDirectory.ROOT_CERT, Pem.encodeCertificates(List.of(rootB.root(), rootA.root())));

        await().atMost(Duration.ofSeconds(30))
                .until(() -> trustBundle(credential, bundleA).size() == 2);
        List<X509Certificate> overlap = trustBundle(credential, bundleA);
        assertThat(overlap).containsExactlyInAnyOrder(rootA.root(), rootB.root());
        // New certificates come from B, with the bundle to trust.
        KeyPair keys = CertificateRequest.generateKeyPair();
        CaEndpointsTest.Response signed = CaEndpointsTest.sign(credential,
                CertificateRequest.create(keys, new SpiffeId("cluster.local", "shop", "web")), null);
        assertThat(signed.status()).as(signed.body()).isEqualTo(200);
        JsonNode answer = JSON.readTree(signed.body());
        List<X509Certificate> chainB = Pem.certificates(answer.get("certificateChain").asString());
        assertThat(chainB.get(chainB.size() - 1)).isEqualTo(rootB.root());
        assertThat(chainB).contains(plugInB.certificate());
        assertThat(Pem.certificates(answer.get("rootCert").asString())).containsExactlyInAnyOrderElementsOf(overlap);
        // The TLS port keeps the certificate of A while A is in the bundle: proxies that have not read the new
        // bundle yet trust A only.
        String address = credential.get("discoveryAddress").asString();
        assertThatCode(() -> CertificateChains.verify(List.of(servedCertificate(address, bundleA)), bundleA,
                Instant.now())).doesNotThrowAnyException();
        // A proxy certified by B joins the stream of a control plane whose certificate is of A, and vice versa.
        CaEndpointsTest.Workload workloadB = new CaEndpointsTest.Workload(credential, keys, chainB);
        assertThat(discovery(workloadB, overlap, "web-2")).startsWith("{\"type\":\"push\"");
        // The proxy connected before the reload was told (it would otherwise wait for its next poll of the bundle).
        assertThat(frames).contains(DiscoveryCodec.encode(TrustBundle.of(overlap)));

        // Root A leaves the bundle.
        write(CaDirectory.ROOT_CERT, Pem.encodeCertificates(List.of(rootB.root())));
        await().atMost(Duration.ofSeconds(30)).until(() -> trustBundle(credential, overlap).size() == 1);
        assertThat(trustBundle(credential, overlap)).containsExactly(rootB.root());
        X509Certificate servedNow = servedCertificate(address, List.of(rootB.root()));
        assertThat(servedNow.getIssuerX500Principal()).isEqualTo(plugInB.certificate().getSubjectX500Principal());
        KeyPair oldKeys = CertificateRequest.generateKeyPair();
        List<X509Certificate> chainA = rootA.issue(oldKeys.getPublic(), new SpiffeId("cluster.local", "shop", "web"),
                Instant.now(), Duration.ofHours(1));
        assertThat(catchThrowable(() -> discovery(new CaEndpointsTest.Workload(credential, oldKeys, chainA),
                List.of(rootB.root()), "web-3"))).as("a certificate of the removed root").isNotNull();

        // A bad set of files is reported and the CA keeps signing with B.
        write(CaDirectory.CA_KEY, "not a key\n");
        context.getBean(CaDirectoryWatcher.class).check();
        JsonNode trustingB = credential.deepCopy();
        ((tools.jackson.databind.node.ObjectNode) trustingB).put("rootCert",
                Pem.encodeCertificates(List.of(rootB.root())));
        CaEndpointsTest.Response stillB = CaEndpointsTest.sign(trustingB, CertificateRequest.create(
                CertificateRequest.generateKeyPair(), new SpiffeId("cluster.local", "shop", "web")), null);
        assertThat(stillB.status()).isEqualTo(200);
        List<X509Certificate> stillChain = Pem.certificates(JSON.readTree(stillB.body()).get("certificateChain")
                .asString());
        assertThat(stillChain.get(stillChain.size() - 1)).isEqualTo(rootB.root());
    }

    static String discovery(CaEndpointsTest.Workload workload, List<X509Certificate> roots, String name) {
        JsonNode credential = JSON.createObjectNode().put("rootCert", Pem.encodeCertificates(roots))
                .put("discoveryAddress", workload.credential().get("discoveryAddress").asString());
        return CaEndpointsTest.discovery(new CaEndpointsTest.Workload(credential, workload.keys(), workload.chain()),
                new ProxyIdentity(name, "shop", ProxyKind.SIDECAR, Map.of(), "web"));
    }

    /** As an operator replacing a file: written aside, moved in. */
    static void write(String name, String content) throws Exception {
        Path next = caDir.resolve("." + name + ".next");
        Files.writeString(next, content);
        Files.move(next, caDir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** {@code GET /v1/trust-bundle} over TLS, trusting {@code roots}. */
    static List<X509Certificate> trustBundle(JsonNode credential, List<X509Certificate> roots) {
        String body = CaEndpointsTest.tls(roots, null, null).get()
                .uri("https://" + credential.get("discoveryAddress").asString() + "/v1/trust-bundle")
                .responseContent().aggregate().asString().block(Duration.ofSeconds(10));
        return Pem.certificates(JSON.readTree(body).get("rootCert").asString());
    }

    /** The certificate a new TLS handshake with {@code address} gets, verified against {@code roots}. */
    static X509Certificate servedCertificate(String address, List<X509Certificate> roots) throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        for (int i = 0; i < roots.size(); i++) {
            store.setCertificateEntry("root-" + i, roots.get(i));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, trust.getTrustManagers(), null);
        int colon = address.lastIndexOf(':');
        try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(address.substring(0, colon),
                Integer.parseInt(address.substring(colon + 1)))) {
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }
}
