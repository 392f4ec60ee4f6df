package dev.meshgate.sidecar.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.meshgate.core.discovery.Ack;
import dev.meshgate.core.networking.destinationrule.ClientTlsSettings.TlsMode;
import dev.meshgate.core.security.PeerAuthentication.Mode;
import dev.meshgate.core.security.identity.SpiffeId;
import dev.meshgate.core.security.pki.CertificateIssuer;
import dev.meshgate.core.security.pki.CertificateRequest;
import dev.meshgate.core.view.AuthSpec;
import dev.meshgate.core.view.ClientTlsSpec;
import dev.meshgate.core.view.ClusterSpec;
import dev.meshgate.core.view.ConnectionPoolSpec;
import dev.meshgate.core.view.EndpointSpec;
import dev.meshgate.core.view.LoadBalancerSpec;
import dev.meshgate.core.view.PeerAuthenticationSpec;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.view.TrafficPolicySpec;
import dev.meshgate.proxy.discovery.TestControlPlane;
import dev.meshgate.proxy.discovery.TestViews;
import dev.meshgate.proxy.security.WorkloadCertificateHolder;
import dev.meshgate.sidecar.SidecarApplication;
import dev.meshgate.testing.FreePorts;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.reactive.context.ReactiveWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;

/**
 * A client sidecar calling a server sidecar whose inbound side is STRICT, on real loopback sockets: auto mutual TLS
 * towards endpoints labelled {@code security.istio.io/tlsMode: istio}, DestinationRule {@code tls} DISABLE and
 * ISTIO_MUTUAL, and the check of the server's SPIFFE identity. The workload certificates carry only their SPIFFE
 * URI (no host name or IP), as the mesh CA issues them.
 */
class OutboundMutualTlsTest {

    private static final Instant NOW = Instant.now();
    private static final CertificateIssuer ROOT = CertificateIssuer.selfSignedRoot("mesh", NOW, Duration.ofDays(1));
    private static final Map<String, String> MESH = Map.of(ClientTlsSpec.TLS_MODE_LABEL, "istio");

    private final DisposableServer app = HttpServer.create().host("127.0.0.1").port(0)
            .handle((request, response) -> response.sendString(Mono.just("app saw " + request.uri())))
            .bindNow();
    private final List<AutoCloseable> started = new ArrayList<>();
    private ConfigurableApplicationContext server;
    private ConfigurableApplicationContext client;
    private TestControlPlane clientPlane;
    private int serverInbound;

    @AfterEach
    void stopAll() throws Exception {
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).close();
        }
        app.disposeNow();
    }

    @Test
    void autoMutualTlsReachesAStrictServerAndTheServerSeesTheClientsIdentity() throws Exception {
        startBoth(MESH, "web", null);

        assertThat(call("/hello")).isEqualTo("200 app saw /hello");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(metrics(server)).anySatisfy(line ->
                assertThat(line).startsWith("istio_requests_total{").contains("reporter=\"destination\"")
                        .contains("connection_security_policy=\"mutual_tls\"")
                        .contains("source_principal=\"spiffe://cluster.local/ns/shop/sa/client\"")));
    }

    @Test
    void anEndpointWithoutTheMeshLabelGetsPlaintextWhichStrictRefuses() throws Exception {
        startBoth(Map.of(), "web", null);

        assertThat(call("/")).startsWith("503");
    }

    @Test
    void destinationRuleIstioMutualUsesMutualTlsWithoutTheLabel() throws Exception {
        startBoth(Map.of(), "web", new ClientTlsSpec(TlsMode.ISTIO_MUTUAL, List.of(), null));

        assertThat(call("/dr")).isEqualTo("200 app saw /dr");
    }

    @Test
    void destinationRuleDisableSendsPlaintextEvenToAMeshEndpoint() throws Exception {
        startBoth(MESH, "web", new ClientTlsSpec(TlsMode.DISABLE, List.of(), null));

        assertThat(call("/")).startsWith("503");
    }

    @Test
    void aServerWithAnotherServiceAccountThanTheEndpointsIsRefused() throws Exception {
        startBoth(MESH, "billing", null);

        assertThat(call("/")).startsWith("503");
    }

    @Test
    void theClientRefusesAServerOfAnotherTrustDomainThoughTheMeshRootSignedItForTheEndpointsServiceAccount()
            throws Exception {
        // TLS servers that ask for no client certificate: only the client's check can refuse
        DisposableServer foreign = tlsApp(new SpiffeId("other.example", "shop", "web"));
        DisposableServer own = tlsApp(new SpiffeId("cluster.local", "shop", "web"));
        serverInbound = foreign.port();
        clientPlane = new TestControlPlane(0, clientView("c1", MESH, "web", null));
        started.add(clientPlane);
        client = sidecar(clientPlane, "client-1", "client", new SpiffeId("cluster.local", "shop", "client"));
        clientPlane.next(Ack.class);
        assertThat(call("/")).startsWith("503");

        serverInbound = own.port();
        clientPlane.push(clientView("c2", MESH, "web", null));
        assertThat(clientPlane.answerTo("c2")).isInstanceOf(Ack.class);
        assertThat(call("/")).isEqualTo("200 tls app saw /");
    }

    @Test
    void theClientRefusesAServerOfTheEndpointsServiceAccountInAnotherNamespace() throws Exception {
        DisposableServer billing = tlsApp(new SpiffeId("cluster.local", "billing", "web"));
        DisposableServer shop = tlsApp(new SpiffeId("cluster.local", "shop", "web"));
        serverInbound = billing.port();
        clientPlane = new TestControlPlane(0, clientView("c1", MESH, "web", null));
        started.add(clientPlane);
        client = sidecar(clientPlane, "client-1", "client", new SpiffeId("cluster.local", "shop", "client"));
        clientPlane.next(Ack.class);
        assertThat(call("/")).startsWith("503");

        serverInbound = shop.port();
        clientPlane.push(clientView("c2", MESH, "web", null));
        assertThat(clientPlane.answerTo("c2")).isInstanceOf(Ack.class);
        assertThat(call("/")).isEqualTo("200 tls app saw /");
    }

    @Test
    void aServerCertifiedForATrustDomainAliasIsAcceptedOnlyWhenTheMeshNamesTheAlias() throws Exception {
        serverInbound = tlsApp(new SpiffeId("old-td.example.com", "shop", "web")).port();
        clientPlane = new TestControlPlane(0, clientView("c1", MESH, "web", null));
        started.add(clientPlane);
        client = sidecar(clientPlane, "client-1", "client", new SpiffeId("cluster.local", "shop", "client"));
        clientPlane.next(Ack.class);
        assertThat(call("/")).as("no aliases").startsWith("503");

        clientPlane.push(clientView("c2", MESH, "web", null, List.of("cluster.local", "old-td.example.com")));
        assertThat(clientPlane.answerTo("c2")).isInstanceOf(Ack.class);
        assertThat(call("/")).isEqualTo("200 tls app saw /");
    }

    /** An HTTP server on TLS presenting a mesh-root certificate for {@code identity}. */
    private DisposableServer tlsApp(SpiffeId identity) throws Exception {
        KeyPair keys = CertificateRequest.generateKeyPair();
        SslContext context = SslContextBuilder.forServer(keys.getPrivate(),
                ROOT.issue(keys.getPublic(), identity, NOW, Duration.ofHours(1)).toArray(X509Certificate[]::new))
                .build();
        DisposableServer server = HttpServer.create().host("127.0.0.1").port(0)
                .secure(spec -> spec.sslContext(context))
                .handle((request, response) -> response.sendString(Mono.just("tls app saw " + request.uri())))
                .bindNow();
        started.add(server::disposeNow);
        return server;
    }

    @Test
    void subjectAltNamesNameTheIdentitiesTheServerMayPresent() throws Exception {
        startBoth(MESH, null, new ClientTlsSpec(TlsMode.ISTIO_MUTUAL,
                List.of("spiffe://cluster.local/ns/shop/sa/other"), null));
        assertThat(call("/")).startsWith("503");

        clientPlane.push(clientView("v2", MESH, null, new ClientTlsSpec(TlsMode.ISTIO_MUTUAL,
                List.of("spiffe://cluster.local/ns/shop/sa/web"), "web.shop.svc.cluster.local")));
        assertThat(clientPlane.answerTo("v2")).isInstanceOf(Ack.class);
        assertThat(call("/")).isEqualTo("200 app saw /");
    }

    private void startBoth(Map<String, String> endpointLabels, @Nullable String endpointServiceAccount,
            @Nullable ClientTlsSpec tls) throws Exception {
        serverInbound = FreePorts.next();
        TestControlPlane serverPlane = new TestControlPlane(0, new ProxyView("s1", "s-s1", List.of(), List.of(),
                ProxyView.OutboundTrafficPolicy.REGISTRY_ONLY, null, null, null,
                new AuthSpec(List.of(), List.of(), new PeerAuthenticationSpec(Mode.STRICT, Map.of()))));
        started.add(serverPlane);
        server = sidecar(serverPlane, "web-1", "web", new SpiffeId("cluster.local", "shop", "web"),
                "--meshgate.sidecar.inbound-port=" + serverInbound, "--meshgate.sidecar.app-port=" + app.port());
        serverPlane.next(Ack.class);

        clientPlane = new TestControlPlane(0, clientView("c1", endpointLabels, endpointServiceAccount, tls));
        started.add(clientPlane);
        client = sidecar(clientPlane, "client-1", "client", new SpiffeId("cluster.local", "shop", "client"));
        clientPlane.next(Ack.class);
    }

    /** Requests for host {@code web} go to the server sidecar's inbound port. */
    private ProxyView clientView(String version, Map<String, String> labels, @Nullable String serviceAccount,
            @Nullable ClientTlsSpec tls) {
        return clientView(version, labels, serviceAccount, tls, List.of());
    }

    /**
     * As translation gives it: the cluster's {@code serviceAccounts} are the endpoint's service account in the
     * service's namespace (shop), in each of {@code trustDomains} (cluster.local when empty), which the view's auth
     * carries when there are aliases.
     */
    private ProxyView clientView(String version, Map<String, String> labels, @Nullable String serviceAccount,
            @Nullable ClientTlsSpec tls, List<String> trustDomains) {
        ProxyView base = TestViews.outbound(version, "web", serverInbound);
        ClusterSpec cluster = base.clusters().get(0);
        List<String> identities = serviceAccount == null ? List.of()
                : (trustDomains.isEmpty() ? List.of("cluster.local") : trustDomains).stream()
                        .map(domain -> new SpiffeId(domain, "shop", serviceAccount).uri()).toList();
        ClusterSpec secured = new ClusterSpec(cluster.name(), cluster.host(), cluster.port(), null,
                ClusterSpec.Discovery.STATIC,
                List.of(new EndpointSpec("127.0.0.1", serverInbound, labels, 1, null, serviceAccount)),
                new TrafficPolicySpec(LoadBalancerSpec.DEFAULT, ConnectionPoolSpec.DEFAULT, null, tls),
                ClusterSpec.UpstreamProtocol.HTTP1, false, identities);
        return new ProxyView(version, "s-" + version, base.listeners(), List.of(secured),
                ProxyView.OutboundTrafficPolicy.REGISTRY_ONLY, null, null, null,
                new AuthSpec(List.of(), List.of(), null, null, trustDomains));
    }

    private ConfigurableApplicationContext sidecar(TestControlPlane plane, String name, String serviceAccount,
            SpiffeId identity, String... more) {
        WorkloadCertificateHolder holder = new WorkloadCertificateHolder(List.of(ROOT.root()));
        KeyPair keys = CertificateRequest.generateKeyPair();
        holder.update(keys.getPrivate(), ROOT.issue(keys.getPublic(), identity, NOW, Duration.ofHours(1)),
                List.of(ROOT.root()));
        List<String> args = new ArrayList<>(List.of("--meshgate.proxy.name=" + name,
                "--meshgate.proxy.namespace=shop", "--meshgate.proxy.service-account=" + serviceAccount,
                "--meshgate.proxy.discovery-address=127.0.0.1:" + plane.port(),
                "--meshgate.proxy.admin-port=0", "--meshgate.sidecar.outbound-port=0"));
        args.addAll(List.of(more));
        ConfigurableApplicationContext context = new SpringApplicationBuilder(SidecarApplication.class)
                .initializers(c -> c.getBeanFactory().registerSingleton("testWorkloadCertificates", holder))
                .run(args.toArray(String[]::new));
        started.add(context);
        return context;
    }

    /** "status body" of a GET for host web through the client sidecar's outbound listener. */
    private String call(String path) {
        int outbound = ((ReactiveWebServerApplicationContext) client).getWebServer().getPort();
        return HttpClient.newConnection().headers(h -> h.set("Host", "web")).get()
                .uri("http://127.0.0.1:" + outbound + path)
                .responseSingle((response, body) -> body.asString().defaultIfEmpty("")
                        .map(text -> response.status().code() + " " + text))
                .block(Duration.ofSeconds(15));
    }

    private static List<String> metrics(ConfigurableApplicationContext sidecar) {
        int admin = sidecar.getEnvironment().getRequiredProperty("local.management.port", Integer.class);
        String body = HttpClient.create().get().uri("http://127.0.0.1:" + admin + "/actuator/prometheus")
                .responseContent().aggregate().asString().block(Duration.ofSeconds(10));
        return body == null ? List.of() : body.lines().toList();
    }

}
