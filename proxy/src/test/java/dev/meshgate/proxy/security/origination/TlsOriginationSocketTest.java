package dev.meshgate.proxy.security.origination;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.meshgate.core.networking.destinationrule.ClientTlsSettings.TlsMode;
import dev.meshgate.core.security.pki.Pem;
import dev.meshgate.core.view.ClientTlsSpec;
import dev.meshgate.core.view.ClusterSpec;
import dev.meshgate.core.view.ClusterSpec.UpstreamProtocol;
import dev.meshgate.core.view.ConnectionPoolSpec;
import dev.meshgate.core.view.EndpointSpec;
import dev.meshgate.core.view.ListenerSpec;
import dev.meshgate.core.view.LoadBalancerSpec;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.view.RouteSpec;
import dev.meshgate.core.view.RouteSpec.WeightedCluster;
import dev.meshgate.core.view.TrafficPolicySpec;
import dev.meshgate.core.view.VirtualHostSpec;
import dev.meshgate.proxy.filter.LocalResponse;
import dev.meshgate.proxy.route.MeshRouteTable;
import dev.meshgate.proxy.testapp.TestListenerBinding;
import dev.meshgate.proxy.testapp.TestProxyApplication;
import dev.meshgate.testing.FreePorts;

import io.netty.channel.Channel;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import reactor.blockhound.BlockHound;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.Http2SslContextSpec;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.server.HttpServer;

/**
 * DestinationRule {@code tls} SIMPLE and MUTUAL against a real TLS server on loopback whose certificates are made in
 * the test: the app (a plain HTTP client) sends plaintext through the proxy's outbound listener, the proxy
 * originates TLS. The server answers with what it saw of the connection: protocol, SNI, client certificate.
 */
@SpringBootTest(classes = TestProxyApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.address=127.0.0.1", "spring.main.banner-mode=off"})
@ExtendWith(OutputCaptureExtension.class)
class TlsOriginationSocketTest {

    private static final String HOST = "backend.example.com";
    private static final TestPki CA = new TestPki("backend-ca");
    private static final TestPki OTHER_CA = new TestPki("other-ca");
    private static final AtomicInteger versions = new AtomicInteger();
    private static final AtomicInteger slowStarted = new AtomicInteger();

    private static final Path dir;

    static {
        try {
            dir = Files.createTempDirectory("tls-origination");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
    private static String caFile;
    private static String otherCaFile;
    private static String clientCertificate;
    private static String clientKey;
    private static DisposableServer server;
    private static TestPki.Issued serverCert;

    @LocalServerPort
    int port;

    @Autowired
    MeshRouteTable table;

    @Autowired
    TestListenerBinding binding;

    @Autowired
    UpstreamTlsOrigination origination;

    private HttpClient client;

    @DynamicPropertySource
    static void credentialsRoot(DynamicPropertyRegistry registry) {
        registry.add("meshgate.proxy.tls-credentials-root", () -> dir.resolve("credentials").toString());
        registry.add("meshgate.proxy.tls-credentials-poll-interval", () -> "100ms");
    }

    @BeforeAll
    static void startServer() throws Exception {
        BlockHound.install();
        caFile = write("ca.pem", Pem.encodeCertificates(List.of(CA.root())));
        otherCaFile = write("other-ca.pem", Pem.encodeCertificates(List.of(OTHER_CA.root())));
        TestPki.Issued clientCert = CA.issue("sleep-client");
        clientCertificate = write("client.pem", Pem.encodeCertificates(List.of(clientCert.certificate())));
        clientKey = write("client-key.pem", Pem.encodePrivateKey(clientCert.key()));
        // credentialName "backend-client": Istio's client Secret keys, as files
        write("credentials/backend-client/tls.crt", Pem.encodeCertificates(List.of(clientCert.certificate())));
        write("credentials/backend-client/tls.key", Pem.encodePrivateKey(clientCert.key()));
        write("credentials/backend-client/ca.crt", Pem.encodeCertificates(List.of(CA.root())));

        serverCert = CA.issue(HOST, HOST, "*.alias.example.com");
        var context = Http2SslContextSpec.forServer(serverCert.key(), serverCert.certificate())
                .configure(b -> b.trustManager(CA.root()).clientAuth(ClientAuth.OPTIONAL));
        server = HttpServer.create().host("127.0.0.1").port(FreePorts.next())
                .protocol(HttpProtocol.HTTP11, HttpProtocol.H2)
                .secure(spec -> spec.sslContext(context))
                .handle((request, response) -> {
                    String[] seen = new String[1];
                    request.withConnection(connection -> {
                        try {
                            seen[0] = describe(connection.channel());
                        } catch (RuntimeException e) {
                            seen[0] = e.toString();
                        }
                    });
                    Mono<String> body = Mono.just(request.version() + " sni=" + seen[0] + " host="
                            + request.requestHeaders().get("host"));
                    if (request.uri().equals("/close")) {
                        // each request on a connection of its own: every one is a new handshake
                        response.keepAlive(false);
                    } else if (request.uri().equals("/slow")) {
                        slowStarted.incrementAndGet();
                        body = body.delayElement(Duration.ofSeconds(3));
                    }
                    return response.sendString(body);
                })
                .bindNow();
    }

    /** SNI and client certificate of the connection (on HTTP/2 the TLS handler is on the parent channel). */
    private static String describe(Channel channel) {
        SslHandler ssl = channel.pipeline().get(SslHandler.class);
        if (ssl == null && channel.parent() != null) {
            ssl = channel.parent().pipeline().get(SslHandler.class);
        }
        SSLSession session = ssl.engine().getSession();
        String sni = "none";
        if (session instanceof ExtendedSSLSession extended) {
            for (SNIServerName name : extended.getRequestedServerNames()) {
                if (name instanceof SNIHostName host) {
                    sni = host.getAsciiName();
                }
            }
        }
        String peer = "none";
        try {
            Certificate[] chain = session.getPeerCertificates();
            peer = ((X509Certificate) chain[0]).getSubjectX500Principal().getName();
        } catch (SSLPeerUnverifiedException e) {
            // no client certificate
        }
        return sni + " client=" + peer;
    }

    private static String write(String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, content).toString();
    }

    @AfterAll
    static void stopServer() {
        server.disposeNow();
    }

    @BeforeEach
    void setUp() {
        binding.bind(port, "outbound");
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", port)))
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    /**
     * Host {@code backend.example.com} on port 80 (what the app calls), cluster at the TLS server, with {@code tls}.
     */
    private void serve(ClientTlsSpec tls, UpstreamProtocol protocol, int... endpointPorts) throws Exception {
        List<EndpointSpec> endpoints = new java.util.ArrayList<>();
        for (int p : endpointPorts.length == 0 ? new int[] {server.port()} : endpointPorts) {
            endpoints.add(new EndpointSpec("127.0.0.1", p, Map.of(), 1, null, null));
        }
        String name = "outbound|80||" + HOST;
        ClusterSpec cluster = new ClusterSpec(name, HOST, 80, null, ClusterSpec.Discovery.STATIC, endpoints,
                new TrafficPolicySpec(LoadBalancerSpec.DEFAULT, ConnectionPoolSpec.DEFAULT, null, tls), protocol);
        RouteSpec route = new RouteSpec("default.backend.0", null, List.of(),
                new RouteSpec.RouteAction(List.of(new WeightedCluster(name, 100, null, null))), null, null, null,
                null, null, 0, null, null, List.of(), null);
        ListenerSpec listener = new ListenerSpec("outbound", 0, ListenerSpec.Direction.OUTBOUND,
                List.of(new VirtualHostSpec(HOST, List.of(HOST, HOST + ":80"), List.of(route))));
        String v = "o" + versions.incrementAndGet();
        table.apply(new ProxyView(v, "s-" + v, List.of(listener), List.of(cluster),
                ProxyView.OutboundTrafficPolicy.REGISTRY_ONLY));
    }

    private void serve(ClientTlsSpec tls) throws Exception {
        serve(tls, UpstreamProtocol.HTTP1);
    }

    private static ClientTlsSpec simple(@Nullable String ca, List<String> subjectAltNames, @Nullable String sni) {
        return new ClientTlsSpec(TlsMode.SIMPLE, subjectAltNames, sni, ca, null, null, null, null);
    }

    private HttpResponse<String> get() throws IOException, InterruptedException {
        return get("/");
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return client.send(request(path), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest request(String path) {
        return HttpRequest.newBuilder(URI.create("http://" + HOST + path)).timeout(Duration.ofSeconds(20)).build();
    }

    /** Writes a client credential directory {@code credentials/<name>} with {@code issued}, the key first. */
    private static void writeCredential(String name, TestPki.Issued issued) throws IOException {
        write("credentials/" + name + "/ca.crt", Pem.encodeCertificates(List.of(CA.root())));
        write("credentials/" + name + "/tls.key", Pem.encodePrivateKey(issued.key()));
        write("credentials/" + name + "/tls.crt", Pem.encodeCertificates(List.of(issued.certificate())));
    }

    private static @Nullable String flags(HttpResponse<?> response) {
        return response.headers().firstValue(LocalResponse.RESPONSE_FLAGS_HEADER).orElse(null);
    }

    private void assertConnectFailure() throws Exception {
        HttpResponse<String> response = get();
        assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
        assertThat(flags(response)).isEqualTo("UF");
    }

    @Test
    void simpleOriginatesTlsVerifiedAgainstCaCertificatesSendingTheHostAsSni() throws Exception {
        serve(simple(caFile, List.of(), null));
        HttpResponse<String> response = get();
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("HTTP/1.1 sni=" + HOST + " client=none host=" + HOST);
        assertThat(flags(response)).isNull();
    }

    @Test
    void aServerCertificateFromAnotherCaIsRefusedAsAConnectFailure() throws Exception {
        serve(simple(otherCaFile, List.of(), null));
        assertConnectFailure();
    }

    @Test
    void withoutCaCertificatesTheJvmTrustStoreDecidesAndRefusesAPrivateCa() throws Exception {
        serve(simple(null, List.of(), null));
        assertConnectFailure();
    }

    @Test
    void subjectAltNamesMustIncludeANameOfTheServerCertificate() throws Exception {
        serve(simple(caFile, List.of("other.example.com"), null));
        assertConnectFailure();

        serve(simple(caFile, List.of("spiffe://cluster.local/ns/x/sa/y", HOST), null));
        assertThat(get().statusCode()).isEqualTo(200);
    }

    @Test
    void theServerNameIsCheckedWhenNoSubjectAltNamesAreGiven() throws Exception {
        // an sni the certificate does not carry: refused, as Envoy's auto SAN validation does
        serve(simple(caFile, List.of(), "elsewhere.example.com"));
        assertConnectFailure();

        // a name under the certificate's wildcard
        serve(simple(caFile, List.of(), "api.alias.example.com"));
        HttpResponse<String> response = get();
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("sni=api.alias.example.com ");
    }

    @Test
    void insecureSkipVerifyAcceptsAnUntrustedServer() throws Exception {
        serve(new ClientTlsSpec(TlsMode.SIMPLE, List.of(), "elsewhere.example.com", null, null, null, null, true));
        HttpResponse<String> response = get();
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).startsWith("HTTP/1.1 sni=elsewhere.example.com client=none");
    }

    @Test
    void mutualPresentsTheClientCertificateFromFiles() throws Exception {
        serve(new ClientTlsSpec(TlsMode.MUTUAL, List.of(), null, caFile, clientCertificate, clientKey, null, null));
        HttpResponse<String> response = get();
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).contains("client=CN=sleep-client");
    }

    @Test
    void mutualReadsCredentialNameFromTheCredentialsRoot() throws Exception {
        serve(new ClientTlsSpec(TlsMode.MUTUAL, List.of(), null, null, null, null, "backend-client", null));
        HttpResponse<String> response = get();
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).contains("client=CN=sleep-client");

        serve(new ClientTlsSpec(TlsMode.MUTUAL, List.of(), null, null, null, null, "no-such-credential", null));
        assertConnectFailure();
    }

    @Test
    void aMissingFileFailsTheRequestsAsConnectFailures() throws Exception {
        serve(new ClientTlsSpec(TlsMode.MUTUAL, List.of(), null, caFile, clientCertificate,
                dir.resolve("absent-key.pem").toString(), null, null));
        assertConnectFailure();
    }

    @Test
    void rotatedClientCertificateFilesServeNewConnectionsWhileAnEstablishedOneCarriesOn() throws Exception {
        writeCredential("rotating", CA.issue("client-one"));
        serve(new ClientTlsSpec(TlsMode.MUTUAL, List.of(), null, null, null, null, "rotating", null));
        assertThat(get().body()).contains("client=CN=client-one");
        int slowBefore = slowStarted.get();
        CompletableFuture<HttpResponse<String>> established = client.sendAsync(request("/slow"),
                HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(10)).until(() -> slowStarted.get() > slowBefore);

        writeCredential("rotating", CA.issue("client-two"));

        // no push: the files are read again by the poll, and the next new connection presents the new certificate
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(get("/close").body())
                .contains("client=CN=client-two"));
        HttpResponse<String> slow = established.get(20, TimeUnit.SECONDS);
        assertThat(slow.statusCode()).as(slow.body()).isEqualTo(200);
        assertThat(slow.body()).contains("client=CN=client-one");
    }

    @Test
    void invalidNewFilesKeepTheLastGoodCertificatesServingWithALogLine(CapturedOutput output) throws Exception {
        writeCredential("breaking", CA.issue("client-good"));
        serve(new ClientTlsSpec(TlsMode.MUTUAL, List.of(), null, null, null, null, "breaking", null));
        assertThat(get("/close").body()).contains("client=CN=client-good");

        write("credentials/breaking/tls.crt", "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");
        long reads = origination.fileReads();
        await().atMost(Duration.ofSeconds(20)).until(() -> origination.fileReads() > reads + 3);
        HttpResponse<String> response = get("/close");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).contains("client=CN=client-good");
        assertThat(output.getAll()).contains("TLS origination of cluster outbound|80||" + HOST
                + " is not possible: clientCertificate " + dir.resolve("credentials/breaking/tls.crt"))
                .contains("the previous certificates keep serving");

        writeCredential("breaking", CA.issue("client-fixed"));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(get("/close").body())
                .contains("client=CN=client-fixed"));
    }

    @Test
    void requestsReadNoCertificateFile() throws Exception {
        // Files.readAllBytes on an event loop is a BlockHound error (FileReadBlockHoundIntegration): new handshakes
        // succeed only because the files were read when the view was applied, off the event loop.
        writeCredential("counted", CA.issue("client-counted"));
        serve(new ClientTlsSpec(TlsMode.MUTUAL, List.of(), null, null, null, null, "counted", null));
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> response = get("/close");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(response.body()).contains("client=CN=client-counted");
        }
    }

    @Test
    void aServerCertificateTheCaCrlRevokesIsRefused() throws Exception {
        String othersRevoked = write("others.crl", TestPki.pem(CA.crl(CA.issue("someone-else").certificate())));
        String serverRevoked = write("server.crl", TestPki.pem(CA.crl(serverCert.certificate())));
        serve(new ClientTlsSpec(TlsMode.SIMPLE, List.of(), null, caFile, null, null, null, null, othersRevoked));
        HttpResponse<String> response = get();
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);

        serve(new ClientTlsSpec(TlsMode.SIMPLE, List.of(), null, caFile, null, null, null, null, serverRevoked));
        assertConnectFailure();

        // credentialName: the CRL is the credential's ca.crl (Istio's Secret key)
        write("credentials/revoking/ca.crt", Pem.encodeCertificates(List.of(CA.root())));
        write("credentials/revoking/ca.crl", TestPki.pem(CA.crl(serverCert.certificate())));
        serve(new ClientTlsSpec(TlsMode.SIMPLE, List.of(), null, null, null, null, "revoking", null));
        assertConnectFailure();
    }

    @Test
    void aCaCrlThatIsNoCrlFailsTheRequestsAsConnectFailures() throws Exception {
        String notACrl = write("not-a.crl", "-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n");
        serve(new ClientTlsSpec(TlsMode.SIMPLE, List.of(), null, caFile, null, null, null, null, notACrl));
        assertConnectFailure();
    }

    @Test
    void anHttp2ClusterNegotiatesH2ByAlpn() throws Exception {
        serve(simple(caFile, List.of(), null), UpstreamProtocol.HTTP2);
        HttpResponse<String> response = get();
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).startsWith("HTTP/2.0 sni=" + HOST);
    }
}
