package dev.meshgate.controlplane.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.meshgate.controlplane.ConfigServerApplication;
import dev.meshgate.core.discovery.DiscoveryCodec;
import dev.meshgate.core.discovery.Hello;
import dev.meshgate.core.security.identity.SpiffeId;
import dev.meshgate.core.security.pki.CertificateChains;
import dev.meshgate.core.security.pki.CertificateIssuer;
import dev.meshgate.core.security.pki.CertificateRequest;
import dev.meshgate.core.security.pki.Pem;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.ProxyKind;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.client.ReactorNettyWebSocketClient;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The CA end to end with real TLS handshakes on loopback: credentials from the admin endpoint, CSRs signed for the
 * proven identity only, and the discovery stream over TLS taking the proxy's identity from its certificate.
 */
class CaEndpointsTest {

    static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    static Path configDir;
    @TempDir
    static Path caDir;
    @TempDir
    static Path meshDir;

    static ConfigurableApplicationContext context;
    static int port;

    @BeforeAll
    static void startControlPlane() throws java.io.IOException {
        Path mesh = Files.writeString(meshDir.resolve("mesh.yaml"), "trustDomainAliases: [old-td.example.com]\n");
        context = new SpringApplicationBuilder(ConfigServerApplication.class).run(
                "--meshgate.control-plane.config-dir=" + configDir, "--meshgate.control-plane.port=0",
                "--meshgate.control-plane.tls-port=0", "--meshgate.control-plane.ca-dir=" + caDir,
                "--meshgate.control-plane.mesh-config=" + mesh);
        port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }

    @AfterAll
    static void stop() {
        context.close();
    }

    @Test
    void certificateIsIssuedForTheTokensIdentityWithTheSpiffeSanAndDefaultTtl() throws Exception {
        JsonNode credential = credential("web-1", "shop", "web");
        List<X509Certificate> roots = Pem.certificates(credential.get("rootCert").asString());
        KeyPair keys = CertificateRequest.generateKeyPair();
        SpiffeId web = new SpiffeId("cluster.local", "shop", "web");

        Response response = sign(credential, CertificateRequest.create(keys, web), null);

        assertThat(response.status()).as(response.body()).isEqualTo(200);
        List<X509Certificate> chain = Pem.certificates(JSON.readTree(response.body()).get("certificateChain").asString());
        X509Certificate leaf = chain.get(0);
        assertThat(credential.get("identity").asString()).isEqualTo("spiffe://cluster.local/ns/shop/sa/web");
        assertThat(CertificateChains.spiffeId(leaf)).isEqualTo(web);
        assertThat(leaf.getPublicKey()).isEqualTo(keys.getPublic());
        Duration ttl = Duration.between(leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant())
                .minus(CertificateIssuer.BACKDATE);
        assertThat(ttl).isEqualTo(Duration.ofHours(24));
        assertThatCode(() -> CertificateChains.verify(chain, roots, Instant.now())).doesNotThrowAnyException();
    }

    @Test
    void aTokenForOneIdentityGetsNoCertificateForAnother() {
        JsonNode credential = credential("web-1", "shop", "web");
        String csr = CertificateRequest.create(CertificateRequest.generateKeyPair(),
                new SpiffeId("cluster.local", "shop", "payments"));

        Response response = sign(credential, csr, null);

        assertThat(response.status()).isEqualTo(403);
        assertThat(response.body()).contains("spiffe://cluster.local/ns/shop/sa/payments")
                .contains("proved spiffe://cluster.local/ns/shop/sa/web");
    }

    @Test
    void anExpiredOrForgedTokenIsRefused() {
        JsonNode credential = credential("web-1", "shop", "web");
        String csr = CertificateRequest.create(CertificateRequest.generateKeyPair(),
                new SpiffeId("cluster.local", "shop", "web"));
        String expired = context.getBean(BootstrapTokens.class)
                .issue("web-1", "shop", "web", Instant.now().minusSeconds(1)).value();
        String forged = new BootstrapTokens(new byte[32]).issue("web-1", "shop", "web", Instant.now().plusSeconds(600))
                .value();

        Response expiredResponse = sign(credential, csr, expired);
        Response forgedResponse = sign(credential, csr, forged);

        assertThat(expiredResponse.status()).isEqualTo(401);
        assertThat(expiredResponse.body()).contains("bootstrap token expired").doesNotContain(expired);
        assertThat(forgedResponse.status()).isEqualTo(401);
        assertThat(forgedResponse.body()).contains("not signed by this control plane");
    }

    @Test
    void aTtlOverTheMaximumIsRefused() {
        JsonNode credential = credential("web-1", "shop", "web");
        String csr = CertificateRequest.create(CertificateRequest.generateKeyPair(),
                new SpiffeId("cluster.local", "shop", "web"));

        Response response = send(tls(roots(credential), null, null), "https://" + credential.get("discoveryAddress")
                .asString() + "/v1/certificates", credential.get("token").asString(),
                JSON.writeValueAsString(Map.of("csr", csr, "ttlSeconds", Duration.ofDays(91).toSeconds())));

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.body()).contains("greater than the max allowed TTL");
    }

    @Test
    void certificatesAreNotSignedOverPlaintext() {
        JsonNode credential = credential("web-1", "shop", "web");
        String csr = CertificateRequest.create(CertificateRequest.generateKeyPair(),
                new SpiffeId("cluster.local", "shop", "web"));

        Response response = send(HttpClient.create(), "http://127.0.0.1:" + port + "/v1/certificates",
                credential.get("token").asString(), JSON.writeValueAsString(Map.of("csr", csr)));

        assertThat(response.status()).isEqualTo(403);
    }

    @Test
    void discoveryOverTlsTakesTheIdentityFromTheCertificate() {
        Workload web = workload("web-1", "shop", "web");

        String firstFrame = discovery(web, new ProxyIdentity("web-1", "shop", ProxyKind.SIDECAR, Map.of(), "web"));

        assertThat(firstFrame).startsWith("{\"type\":\"push\"");
    }

    @Test
    void aHelloClaimingAnotherServiceAccountIsRefused() {
        Workload web = workload("web-2", "shop", "web");

        Throwable failure = catchThrowable(() -> discovery(web,
                new ProxyIdentity("web-2", "shop", ProxyKind.SIDECAR, Map.of(), "payments")));

        assertThat(failure).hasMessageContaining("stream closed")
                .hasMessageContaining("claims namespace shop and service account payments but the certificate is "
                        + "spiffe://cluster.local/ns/shop/sa/web");
        assertThat(context.getBean(dev.meshgate.controlplane.push.DiscoveryServer.class).proxy("web-2.shop")).isNull();
    }

    @Test
    void aCertificateOfAnotherRootFailsTheHandshake() {
        JsonNode credential = credential("web-3", "shop", "web");
        CertificateIssuer otherRoot = CertificateIssuer.selfSignedRoot("other", Instant.now(), Duration.ofDays(1));
        KeyPair keys = CertificateRequest.generateKeyPair();
        List<X509Certificate> chain = otherRoot.issue(keys.getPublic(), new SpiffeId("cluster.local", "shop", "web"),
                Instant.now(), Duration.ofHours(1));

        Throwable failure = catchThrowable(() -> discovery(new Workload(credential, keys, chain),
                new ProxyIdentity("web-3", "shop", ProxyKind.SIDECAR, Map.of(), "web")));

        assertThat(failure).isNotNull();
        assertThat(context.getBean(dev.meshgate.controlplane.push.DiscoveryServer.class).proxy("web-3.shop")).isNull();
    }

    @Test
    void aCertificateOfAnotherTrustDomainIsRefused() throws Exception {
        JsonNode credential = credential("web-4", "shop", "web");
        CertificateIssuer ca = CaDirectory.read(caDir, Instant.now());
        KeyPair keys = CertificateRequest.generateKeyPair();
        List<X509Certificate> chain = ca.issue(keys.getPublic(), new SpiffeId("other.org", "shop", "web"),
                Instant.now(), Duration.ofHours(1));

        Throwable failure = catchThrowable(() -> discovery(new Workload(credential, keys, chain),
                new ProxyIdentity("web-4", "shop", ProxyKind.SIDECAR, Map.of(), "web")));

        assertThat(failure).hasMessageContaining("403");
    }

    @Test
    void aCertificateOfATrustDomainAliasJoinsTheStream() throws Exception {
        JsonNode credential = credential("web-5", "shop", "web");
        CertificateIssuer ca = CaDirectory.read(caDir, Instant.now());
        KeyPair keys = CertificateRequest.generateKeyPair();
        List<X509Certificate> chain = ca.issue(keys.getPublic(), new SpiffeId("old-td.example.com", "shop", "web"),
                Instant.now(), Duration.ofHours(1));

        String firstFrame = discovery(new Workload(credential, keys, chain),
                new ProxyIdentity("web-5", "shop", ProxyKind.SIDECAR, Map.of(), "web"));

        assertThat(firstFrame).startsWith("{\"type\":\"push\"");
    }

    @Test
    void plaintextDiscoveryIsRefusedUnlessEnabled() {
        Throwable failure = catchThrowable(() -> new ReactorNettyWebSocketClient(HttpClient.create())
                .execute(URI.create("ws://127.0.0.1:" + port + "/v1/discovery"), session -> Mono.never())
                .block(Duration.ofSeconds(10)));

        assertThat(failure).hasMessageContaining("403");
    }

    record Response(int status, String body) {
    }

    record Workload(JsonNode credential, KeyPair keys, List<X509Certificate> chain) {
    }

    static Workload workload(String name, String namespace, String serviceAccount) {
        JsonNode credential = credential(name, namespace, serviceAccount);
        KeyPair keys = CertificateRequest.generateKeyPair();
        Response response = sign(credential, CertificateRequest.create(keys,
                new SpiffeId("cluster.local", namespace, serviceAccount)), null);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return new Workload(credential, keys,
                Pem.certificates(JSON.readTree(response.body()).get("certificateChain").asString()));
    }

    /** Connects over TLS with the workload's certificate, says hello, returns the first frame. */
    static String discovery(Workload workload, ProxyIdentity identity) {
        CompletableFuture<String> first = new CompletableFuture<>();
        HttpClient client = tls(roots(workload.credential()), workload.keys(), workload.chain());
        new ReactorNettyWebSocketClient(client).execute(
                URI.create("wss://" + workload.credential().get("discoveryAddress").asString() + "/v1/discovery"),
                session -> session.send(Mono.just(session.textMessage(DiscoveryCodec.encode(
                                new Hello(identity, null, null)))))
                        .thenMany(session.receive().map(WebSocketMessage::getPayloadAsText).take(1)
                                .doOnNext(first::complete))
                        .then(session.closeStatus().map(String::valueOf).defaultIfEmpty("no status")
                                .doOnNext(status -> first.completeExceptionally(
                                        new IllegalStateException("stream closed: " + status)))
                                .then()))
                .doOnError(first::completeExceptionally)
                .subscribe(null, e -> { });
        try {
            return first.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause().toString(), e.getCause());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static List<X509Certificate> roots(JsonNode credential) {
        return Pem.certificates(credential.get("rootCert").asString());
    }

    static JsonNode credential(String name, String namespace, String serviceAccount) {
        Response response = send(HttpClient.create(), "http://127.0.0.1:" + port + "/admin/workload-credentials", null,
                JSON.writeValueAsString(Map.of("name", name, "namespace", namespace, "serviceAccount",
                        serviceAccount)));
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    static Response sign(JsonNode credential, String csr, @Nullable String token) {
        return send(tls(roots(credential), null, null),
                "https://" + credential.get("discoveryAddress").asString() + "/v1/certificates",
                token == null ? credential.get("token").asString() : token, JSON.writeValueAsString(Map.of("csr", csr)));
    }

    static HttpClient tls(List<X509Certificate> roots, @Nullable KeyPair keys, @Nullable List<X509Certificate> chain) {
        try {
            SslContextBuilder builder = SslContextBuilder.forClient().trustManager(roots.toArray(X509Certificate[]::new));
            if (keys != null && chain != null) {
                builder.keyManager(keys.getPrivate(), chain.toArray(X509Certificate[]::new));
            }
            SslContext ssl = builder.build();
            return HttpClient.create().secure(spec -> spec.sslContext(ssl));
        } catch (javax.net.ssl.SSLException e) {
            throw new IllegalStateException(e);
        }
    }

    static Response send(HttpClient client, String url, @Nullable String token, String json) {
        return client.headers(headers -> {
                    headers.set("content-type", "application/json");
                    if (token != null) {
                        headers.set("authorization", "Bearer " + token);
                    }
                })
                .post().uri(url).send(reactor.netty.ByteBufFlux.fromString(Mono.just(json)))
                .responseSingle((response, body) -> body.asString().defaultIfEmpty("")
                        .map(text -> new Response(response.status().code(), text)))
                .block(Duration.ofSeconds(10));
    }
}
