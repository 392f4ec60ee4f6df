package dev.meshgate.sidecar.inbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SNIHostName;

import dev.meshgate.core.discovery.Ack;
import dev.meshgate.core.security.AuthorizationPolicy;
import dev.meshgate.core.security.AuthorizationPolicy.Rule;
import dev.meshgate.core.security.AuthorizationPolicy.Source;
import dev.meshgate.core.security.PeerAuthentication.Mode;
import dev.meshgate.core.security.identity.SpiffeId;
import dev.meshgate.core.security.identity.TrustDomainBundle;
import dev.meshgate.core.security.pki.CertificateIssuer;
import dev.meshgate.core.security.pki.CertificateRequest;
import dev.meshgate.core.view.AuthSpec;
import dev.meshgate.core.view.PeerAuthenticationSpec;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.proxy.discovery.TestControlPlane;
import dev.meshgate.proxy.security.WorkloadCertificateHolder;
import dev.meshgate.sidecar.SidecarApplication;
import dev.meshgate.testing.FreePorts;

import io.netty.handler.ssl.SslContextBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;

/**
 * The sidecar's inbound listener under each PeerAuthentication mode, with real TLS handshakes on loopback: a
 * client presenting a mesh workload certificate, a plaintext client and a TLS client without a certificate.
 */
class InboundMutualTlsTest {

    private static final Instant NOW = Instant.now();
    private static final CertificateIssuer ROOT = CertificateIssuer.selfSignedRoot("mesh", NOW, Duration.ofDays(1));
    private static final CertificateIssuer FOREIGN = CertificateIssuer.selfSignedRoot("other", NOW,
            Duration.ofDays(1));
    private static final SpiffeId SERVER = new SpiffeId("cluster.local", "shop", "web");
    private static final SpiffeId CLIENT = new SpiffeId("cluster.local", "shop", "client");
    private static final SpiffeId INTRUDER = new SpiffeId("cluster.local", "dev", "intruder");

    private final DisposableServer app = HttpServer.create().host("127.0.0.1").port(0)
            .handle((request, response) -> response.sendString(Mono.just("app saw " + request.uri())))
            .bindNow();
    private TestControlPlane controlPlane;
    private ConfigurableApplicationContext sidecar;
    private int inboundPort;

    @AfterEach
    void stopAll() {
        if (sidecar != null) {
            sidecar.close();
        }
        if (controlPlane != null) {
            controlPlane.close();
        }
        app.disposeNow();
    }

    @Test
    void strictServesMutualTlsAndRecordsThePeerInMetrics() throws Exception {
        start(view("v1", Mode.STRICT));

        assertThat(get(mtlsClient(CLIENT, ROOT), "/hello")).isEqualTo("200 app saw /hello");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(metrics()).anySatisfy(line ->
                assertThat(line).startsWith("istio_requests_total{")
                        .contains("reporter=\"destination\"")
                        .contains("connection_security_policy=\"mutual_tls\"")
                        .contains("source_principal=\"spiffe://cluster.local/ns/shop/sa/client\"")
                        .contains("destination_principal=\"spiffe://cluster.local/ns/shop/sa/web\"")));
    }

    @Test
    void strictRefusesPlaintextAndTlsWithoutAMeshCertificate() throws Exception {
        start(view("v1", Mode.STRICT));

        assertThat(rawPlaintext()).isEqualTo("");
        assertThat(catchThrowable(() -> get(tlsClientWithoutCertificate(), "/"))).isNotNull();
        assertThat(catchThrowable(() -> get(mtlsClient(CLIENT, FOREIGN), "/"))).isNotNull();
        assertThat(get(mtlsClient(CLIENT, ROOT), "/")).isEqualTo("200 app saw /");
    }

    @Test
    void strictRefusesAnExpiredCertificateAndOneOfAnotherTrustDomainEvenSignedByTheMeshRoot() throws Exception {
        start(view("v1", Mode.STRICT));

        assertThat(catchThrowable(() -> get(mtlsClient(CLIENT, ROOT, NOW.minus(Duration.ofHours(3))), "/")))
                .isNotNull();
        assertThat(catchThrowable(() -> get(mtlsClient(CLIENT.withTrustDomain("other.example"), ROOT), "/")))
                .isNotNull();
        assertThat(get(mtlsClient(CLIENT, ROOT), "/")).isEqualTo("200 app saw /");
    }

    @Test
    void permissiveAcceptsPlaintextAndMutualTlsOnTheSamePort() throws Exception {
        start(view("v1", Mode.PERMISSIVE));

        assertThat(rawPlaintext()).startsWith("HTTP/1.1 200");
        assertThat(get(mtlsClient(CLIENT, ROOT), "/tls")).isEqualTo("200 app saw /tls");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(metrics())
                .anySatisfy(line -> assertThat(line).startsWith("istio_requests_total{")
                        .contains("connection_security_policy=\"none\"").contains("source_principal=\"unknown\""))
                .anySatisfy(line -> assertThat(line).startsWith("istio_requests_total{")
                        .contains("connection_security_policy=\"mutual_tls\"")));
    }

    @Test
    void disableServesPlaintextOnly() throws Exception {
        start(view("v1", Mode.DISABLE));

        assertThat(rawPlaintext()).startsWith("HTTP/1.1 200");
        assertThat(catchThrowable(() -> get(mtlsClient(CLIENT, ROOT), "/"))).isNotNull();
    }

    @Test
    void aPortLevelModeForTheAppPortOverridesTheWorkloadMode() throws Exception {
        start(view("v1", new PeerAuthenticationSpec(Mode.PERMISSIVE, Map.of(app.port(), Mode.STRICT)),
                List.of()));

        assertThat(rawPlaintext()).isEqualTo("");
        assertThat(get(mtlsClient(CLIENT, ROOT), "/")).isEqualTo("200 app saw /");
    }

    @Test
    void aPushedModeAppliesToNewConnections() throws Exception {
        start(view("v1", Mode.PERMISSIVE));
        assertThat(rawPlaintext()).startsWith("HTTP/1.1 200");

        controlPlane.push(view("v2", Mode.STRICT));
        assertThat(controlPlane.answerTo("v2")).isInstanceOf(Ack.class);

        assertThat(rawPlaintext()).isEqualTo("");
    }

    @Test
    void aClientOfATrustDomainAliasIsAcceptedAndMatchesPrincipalsWrittenForTheMeshTrustDomain() throws Exception {
        TrustDomainBundle bundle = TrustDomainBundle.of("cluster.local", List.of("old-td.example.com"));
        // The principals as translation gives them (AuthorizationPolicyTranslator): written for cluster.local.
        Source fromClient = new Source(bundle.replaceAliases(List.of("cluster.local/ns/shop/sa/client")), null, null,
                null, null, null, null, null, null, null, null, null);
        var policy = new AuthSpec.AuthorizationPolicySpec("shop/allow-client", AuthorizationPolicy.Action.ALLOW,
                List.of(new Rule(List.of(new Rule.From(fromClient)), List.of(), List.of())), null, List.of());
        start(new ProxyView("v1", "s-v1", List.of(), List.of(), ProxyView.OutboundTrafficPolicy.REGISTRY_ONLY, null,
                null, null, new AuthSpec(List.of(policy), List.of(), new PeerAuthenticationSpec(Mode.STRICT, Map.of()),
                        null, bundle.trustDomains())));

        assertThat(get(mtlsClient(CLIENT.withTrustDomain("old-td.example.com"), ROOT), "/"))
                .isEqualTo("200 app saw /");
        assertThat(get(mtlsClient(INTRUDER.withTrustDomain("old-td.example.com"), ROOT), "/"))
                .isEqualTo("403 RBAC: access denied");
        assertThat(catchThrowable(() -> get(mtlsClient(CLIENT.withTrustDomain("other.example"), ROOT), "/")))
                .as("a trust domain neither the mesh's nor an alias").isNotNull();
    }

    @Test
    void authorizationPrincipalsSeeThePeersSpiffeIdentity() throws Exception {
        Source fromClient = new Source(List.of("cluster.local/ns/shop/sa/client"), null, null, null, null, null,
                null, null, null, null, null, null);
        Source fromShop = new Source(null, null, null, null, List.of("shop"), null, null, null, null, null, null,
                null);
        var policy = new AuthSpec.AuthorizationPolicySpec("shop/allow-client", AuthorizationPolicy.Action.ALLOW,
                List.of(new Rule(List.of(new Rule.From(fromClient)), List.of(), List.of()),
                        new Rule(List.of(new Rule.From(fromShop)), List.of(new Rule.To(
                                new AuthorizationPolicy.Operation(null, null, null, null, null, null,
                                        List.of("/shop-only"), null))), List.of())),
                null, List.of());
        start(view("v1", new PeerAuthenticationSpec(Mode.PERMISSIVE, Map.of()), List.of(policy)));

        assertThat(get(mtlsClient(CLIENT, ROOT), "/")).isEqualTo("200 app saw /");
        assertThat(get(mtlsClient(INTRUDER, ROOT), "/")).isEqualTo("403 RBAC: access denied");
        assertThat(get(mtlsClient(new SpiffeId("cluster.local", "shop", "other"), ROOT), "/shop-only"))
                .isEqualTo("200 app saw /shop-only");
        assertThat(rawPlaintext()).startsWith("HTTP/1.1 403");
    }

    @Test
    void connectionSniIsTheServerNameTheClientSentInTheHandshake() throws Exception {
        var policy = new AuthSpec.AuthorizationPolicySpec("shop/sni", AuthorizationPolicy.Action.ALLOW,
                List.of(new Rule(List.of(), List.of(), List.of(new AuthorizationPolicy.Condition("connection.sni",
                        List.of("web.shop.svc.cluster.local"), List.of())))), null, List.of());
        start(view("v1", new PeerAuthenticationSpec(Mode.PERMISSIVE, Map.of()), List.of(policy)));

        assertThat(get(mtlsClient(CLIENT, ROOT, "web.shop.svc.cluster.local"), "/")).isEqualTo("200 app saw /");
        assertThat(get(mtlsClient(CLIENT, ROOT, "cart.shop.svc.cluster.local"), "/"))
                .isEqualTo("403 RBAC: access denied");
        assertThat(get(mtlsClient(CLIENT, ROOT), "/")).as("no SNI").isEqualTo("403 RBAC: access denied");
        assertThat(rawPlaintext()).as("plaintext").startsWith("HTTP/1.1 403");
    }

    private ProxyView view(String version, Mode mode) {
        return view(version, new PeerAuthenticationSpec(mode, Map.of()), List.of());
    }

    private static ProxyView view(String version, PeerAuthenticationSpec mtls,
            List<AuthSpec.AuthorizationPolicySpec> policies) {
        return new ProxyView(version, "s-" + version, List.of(), List.of(),
                ProxyView.OutboundTrafficPolicy.REGISTRY_ONLY, null, null, null,
                new AuthSpec(policies, List.of(), mtls));
    }

    private void start(ProxyView initial) throws Exception {
        WorkloadCertificateHolder server = holder(SERVER, ROOT);
        inboundPort = FreePorts.next();
        controlPlane = new TestControlPlane(0, initial);
        List<String> args = new ArrayList<>(List.of("--meshgate.proxy.name=web-1",
                "--meshgate.proxy.namespace=shop", "--meshgate.proxy.service-account=web",
                "--meshgate.proxy.discovery-address=127.0.0.1:" + controlPlane.port(),
                "--meshgate.proxy.admin-port=0", "--meshgate.sidecar.outbound-port=0",
                "--meshgate.sidecar.inbound-port=" + inboundPort, "--meshgate.sidecar.app-port=" + app.port()));
        sidecar = new SpringApplicationBuilder(SidecarApplication.class)
                .initializers(context -> context.getBeanFactory().registerSingleton("testWorkloadCertificates",
                        server))
                .run(args.toArray(String[]::new));
        controlPlane.next(Ack.class);
    }

    /** A holder with a certificate for {@code identity} issued by {@code issuer}, trusting the mesh root. */
    private static WorkloadCertificateHolder holder(SpiffeId identity, CertificateIssuer issuer) {
        return holder(identity, issuer, NOW);
    }

    /** The same, valid for one hour from {@code notBefore}. */
    private static WorkloadCertificateHolder holder(SpiffeId identity, CertificateIssuer issuer, Instant notBefore) {
        WorkloadCertificateHolder holder = new WorkloadCertificateHolder(List.of(ROOT.root()));
        KeyPair keys = CertificateRequest.generateKeyPair();
        holder.update(keys.getPrivate(), issuer.issueServer(keys.getPublic(), identity, List.of(),
                List.of("127.0.0.1"), notBefore, Duration.ofHours(1)), List.of(ROOT.root()));
        return holder;
    }

    private static HttpClient mtlsClient(SpiffeId identity, CertificateIssuer issuer) {
        return mtlsClient(identity, issuer, NOW);
    }

    private static HttpClient mtlsClient(SpiffeId identity, CertificateIssuer issuer, Instant notBefore) {
        WorkloadCertificateHolder holder = holder(identity, issuer, notBefore);
        return HttpClient.newConnection().secure(spec -> spec.sslContext(holder.clientContext()));
    }

    /** As {@link #mtlsClient(SpiffeId, CertificateIssuer)}, sending {@code serverName} as SNI. */
    private static HttpClient mtlsClient(SpiffeId identity, CertificateIssuer issuer, String serverName) {
        WorkloadCertificateHolder holder = holder(identity, issuer);
        return HttpClient.newConnection().secure(spec -> spec.sslContext(holder.clientContext())
                .serverNames(new SNIHostName(serverName)));
    }

    private static HttpClient tlsClientWithoutCertificate() {
        return HttpClient.newConnection().secure(spec -> {
            try {
                spec.sslContext(SslContextBuilder.forClient().trustManager(ROOT.root()).build());
            } catch (javax.net.ssl.SSLException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** "status body" of a GET over TLS to the inbound port. */
    private String get(HttpClient client, String path) {
        return client.get().uri("https://127.0.0.1:" + inboundPort + path)
                .responseSingle((response, body) -> body.asString().defaultIfEmpty("")
                        .map(text -> response.status().code() + " " + text))
                .block(Duration.ofSeconds(10));
    }

    /** What a plaintext HTTP/1.1 client reads back before the connection closes ("" when refused). */
    private String rawPlaintext() throws IOException {
        try (Socket socket = new Socket("127.0.0.1", inboundPort)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write("GET /plain HTTP/1.1\r\nHost: web\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            try {
                return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            } catch (java.net.SocketException reset) {
                return "";
            }
        }
    }

    private List<String> metrics() {
        int admin = sidecar.getEnvironment().getProperty("local.management.port", Integer.class);
        String body = HttpClient.create().get().uri("http://127.0.0.1:" + admin + "/actuator/prometheus")
                .responseContent().aggregate().asString().block(Duration.ofSeconds(10));
        return body == null ? List.of() : body.lines().toList();
    }

}
