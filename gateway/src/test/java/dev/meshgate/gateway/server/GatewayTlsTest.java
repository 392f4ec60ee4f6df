package dev.meshgate.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import dev.meshgate.core.discovery.Ack;
import dev.meshgate.core.mesh.MeshConfig.ProxyPathNormalization.NormalizationType;
import dev.meshgate.core.networking.gateway.ServerTlsSettings.TlsMode;
import dev.meshgate.core.networking.gateway.ServerTlsSettings.TlsProtocol;
import dev.meshgate.core.security.AuthorizationPolicy;
import dev.meshgate.core.security.AuthorizationPolicy.Rule;
import dev.meshgate.core.security.AuthorizationPolicy.Source;
import dev.meshgate.core.security.identity.SpiffeId;
import dev.meshgate.core.security.pki.CertificateIssuer;
import dev.meshgate.core.security.pki.CertificateRequest;
import dev.meshgate.core.security.pki.Pem;
import dev.meshgate.core.view.AuthSpec;
import dev.meshgate.core.view.HeaderOps;
import dev.meshgate.core.view.ListenerSpec;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.view.RouteSpec;
import dev.meshgate.core.view.RouteSpec.DirectResponse;
import dev.meshgate.core.view.ServerTlsSpec;
import dev.meshgate.core.view.VirtualHostSpec;
import dev.meshgate.gateway.GatewayApplication;
import dev.meshgate.proxy.discovery.TestControlPlane;
import dev.meshgate.proxy.security.WorkloadCertificateHolder;
import dev.meshgate.testing.FreePorts;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Secret;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** Gateway servers terminating TLS, on real loopback sockets with real handshakes, driven by a test control plane. */
class GatewayTlsTest {

    private static final Instant NOW = Instant.now();
    private static final CertificateIssuer SERVER_CA = CertificateIssuer.selfSignedRoot("servers", NOW,
            Duration.ofDays(1));
    private static final CertificateIssuer CLIENT_CA = CertificateIssuer.selfSignedRoot("clients", NOW,
            Duration.ofDays(1));
    private static final CertificateIssuer FOREIGN_CA = CertificateIssuer.selfSignedRoot("foreign", NOW,
            Duration.ofDays(1));
    private static final SpiffeId ID = SpiffeId.parse("spiffe://cluster.local/ns/istio-system/sa/test");
    private static final CertificateIssuer MESH = CertificateIssuer.selfSignedRoot("mesh", NOW, Duration.ofDays(1));
    private static final SpiffeId GATEWAY = new SpiffeId("cluster.local", "istio-system", "ingress");
    private static final SpiffeId CLIENT = new SpiffeId("cluster.local", "shop", "client");
    private static final SpiffeId INTRUDER = new SpiffeId("cluster.local", "dev", "intruder");

    @TempDir
    Path credentials;
    private TestControlPlane controlPlane;
    private KubernetesMockServer kubernetes;
    private ConfigurableApplicationContext gateway;
    private int https;
    private int http;
    /** The root the test clients trust the gateway's certificate by. */
    private X509Certificate serverRoot = SERVER_CA.certificate();

    @BeforeEach
    void ports() {
        https = FreePorts.next();
        http = FreePorts.next();
    }

    @AfterEach
    void stopAll() {
        if (gateway != null) {
            gateway.close();
        }
        if (controlPlane != null) {
            controlPlane.close();
        }
        if (kubernetes != null) {
            kubernetes.destroy();
        }
    }

    @Test
    void sniPicksTheCertificateOfEachServerSharingThePortAndAnUnknownNameIsRefused() throws Exception {
        X509Certificate shop = writeCredential("shop", "shop.example.com", false);
        X509Certificate api = writeCredential("api", "api.example.com", false);
        start(view("v1", simple("shop", "shop.example.com"), simple("api", "*.api.example.com")));

        try (SSLSocket socket = handshake("shop.example.com", null, null, null)) {
            assertThat(socket.getSession().getPeerCertificates()[0]).isEqualTo(shop);
            assertThat(request(socket, "shop.example.com")).startsWith("HTTP/1.1 200").endsWith("over tls");
        }
        try (SSLSocket socket = handshake("v2.api.example.com", null, null, null)) {
            assertThat(socket.getSession().getPeerCertificates()[0]).isEqualTo(api);
        }
        assertThat(catchThrowable(() -> handshake("other.example.com", null, null, null).close()))
                .isInstanceOf(IOException.class);
    }

    @Test
    void plainTextIsNotServedOnATlsPort() throws Exception {
        writeCredential("shop", "shop.example.com", false);
        start(view("v1", simple("shop", "*")));

        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), https)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: shop.example.com\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            assertThat(readAll(socket.getInputStream())).doesNotContain("over tls");
        }
    }

    @Test
    void mutualRefusesAClientWithoutCertificateOrWithAForeignOneAndAcceptsOneSignedByTheCa() throws Exception {
        writeCredential("shop", "shop.example.com", true);
        start(view("v1", tls("shop", TlsMode.MUTUAL, "shop.example.com", null, null)));

        assertThat(refused(() -> handshake("shop.example.com", null, null, null))).isTrue();
        assertThat(refused(() -> handshake("shop.example.com", FOREIGN_CA, null, null))).isTrue();
        try (SSLSocket socket = handshake("shop.example.com", CLIENT_CA, null, null)) {
            assertThat(request(socket, "shop.example.com")).startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void mutualRefusesAClientCertificateTheCredentialsCaCrlRevokes() throws Exception {
        writeCredential("shop", "shop.example.com", true);
        KeyPair revokedKeys = CertificateRequest.generateKeyPair();
        List<X509Certificate> revoked = CLIENT_CA.issue(revokedKeys.getPublic(), ID, NOW, Duration.ofHours(1));
        Files.writeString(credentials.resolve("shop/ca.crl"), crl(CLIENT_CA, revoked.get(0)));
        start(view("v1", tls("shop", TlsMode.MUTUAL, "shop.example.com", null, null)));

        assertThat(refused(() -> connected(socket("shop.example.com", revokedKeys, revoked, null, null)))).isTrue();
        try (SSLSocket socket = handshake("shop.example.com", CLIENT_CA, null, null)) {
            assertThat(request(socket, "shop.example.com")).startsWith("HTTP/1.1 200");
        }
    }

    /** A PEM CRL of {@code issuer} revoking {@code revoked}, made with BouncyCastle. */
    private static String crl(CertificateIssuer issuer, X509Certificate revoked) throws Exception {
        X509v2CRLBuilder builder = new X509v2CRLBuilder(
                new X500Name(issuer.certificate().getSubjectX500Principal().getName()),
                java.util.Date.from(NOW.minus(Duration.ofMinutes(5))));
        builder.setNextUpdate(java.util.Date.from(NOW.plus(Duration.ofDays(1))));
        builder.addCRLEntry(revoked.getSerialNumber(), java.util.Date.from(NOW), CRLReason.keyCompromise);
        String algorithm = issuer.key().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
        X509CRL crl = new JcaX509CRLConverter().getCRL(
                builder.build(new JcaContentSignerBuilder(algorithm).build(issuer.key())));
        return "-----BEGIN X509 CRL-----\n" + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'})
                .encodeToString(crl.getEncoded()) + "\n-----END X509 CRL-----\n";
    }

    private static SSLSocket connected(SSLSocket socket) throws IOException {
        try {
            socket.startHandshake();
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    @Test
    void mutualChecksTheClientCertificatesSubjectAltNamesAndPins() throws Exception {
        writeCredential("shop", "shop.example.com", true);
        KeyPair keys = CertificateRequest.generateKeyPair();
        List<X509Certificate> chain = CLIENT_CA.issue(keys.getPublic(), ID, NOW, Duration.ofHours(1));
        KeyPair otherKeys = CertificateRequest.generateKeyPair();
        List<X509Certificate> other = CLIENT_CA.issue(otherKeys.getPublic(), CLIENT, NOW, Duration.ofHours(1));
        java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
        String otherSpki = java.util.Base64.getEncoder().encodeToString(sha.digest(otherKeys.getPublic().getEncoded()));
        // Envoy's colon-separated upper-case form
        String hash = java.util.HexFormat.ofDelimiter(":").withUpperCase().formatHex(sha.digest(chain.get(0)
                .getEncoded()));
        ServerTlsSpec mutual = tls("shop", TlsMode.MUTUAL, "shop.example.com", null, null);

        start(view("v1", matching(mutual, List.of(ID.uri()), List.of(), List.of())));
        try (SSLSocket socket = connected(socket("shop.example.com", keys, chain, null, null))) {
            assertThat(request(socket, "shop.example.com")).startsWith("HTTP/1.1 200");
        }
        assertThat(refused(() -> connected(socket("shop.example.com", otherKeys, other, null, null))))
                .as("a SAN not listed").isTrue();

        controlPlane.push(view("v2", matching(mutual, List.of(), List.of(otherSpki), List.of(hash))));
        assertThat(controlPlane.answerTo("v2")).isInstanceOf(Ack.class);
        for (var client : List.of(Map.entry(keys, chain), Map.entry(otherKeys, other))) {
            try (SSLSocket socket = connected(socket("shop.example.com", client.getKey(), client.getValue(), null,
                    null))) {
                assertThat(request(socket, "shop.example.com")).as("pinned by hash or SPKI").startsWith("HTTP/1.1 200");
            }
        }
        KeyPair unpinnedKeys = CertificateRequest.generateKeyPair();
        List<X509Certificate> unpinned = CLIENT_CA.issue(unpinnedKeys.getPublic(), ID, NOW, Duration.ofHours(1));
        assertThat(refused(() -> connected(socket("shop.example.com", unpinnedKeys, unpinned, null, null))))
                .as("signed by the CA but pinned by neither").isTrue();
    }

    @Test
    void credentialNamesServeAnRsaAndAnEcdsaCertificateChosenByWhatTheClientAccepts() throws Exception {
        X509Certificate[] served = twoKeyTypes();
        ServerTlsSpec one = tls("shop-ec", TlsMode.MUTUAL, "shop.example.com", null, null);
        start(view("v1", new ServerTlsSpec(one.server(), one.sniHosts(), one.mode(), "shop-ec", null, null, null, null,
                null, List.of(), null, List.of(), List.of(), List.of(),
                new ServerTlsSpec.Alternate("shop-rsa", null, null))));

        presentsByKeyType(served[0], served[1]);
    }

    @Test
    void tlsCertificatesServeAnRsaAndAnEcdsaCertificateFromFiles() throws Exception {
        X509Certificate[] served = twoKeyTypes();
        Path ec = credentials.resolve("shop-ec");
        Path rsa = credentials.resolve("shop-rsa");
        ServerTlsSpec one = tls("shop-ec", TlsMode.MUTUAL, "shop.example.com", null, null);
        start(view("v1", new ServerTlsSpec(one.server(), one.sniHosts(), one.mode(), null,
                ec.resolve("tls.crt").toString(), ec.resolve("tls.key").toString(), ec.resolve("ca.crt").toString(),
                null, null, List.of(), null, List.of(), List.of(), List.of(), new ServerTlsSpec.Alternate(null,
                        rsa.resolve("tls.crt").toString(), rsa.resolve("tls.key").toString()))));

        presentsByKeyType(served[0], served[1]);
    }

    /** Credentials shop-ec (with the client CA) and shop-rsa: their ECDSA and RSA certificates. */
    private X509Certificate[] twoKeyTypes() throws Exception {
        X509Certificate ecdsa = writeCredential("shop-ec", "shop.example.com", true);
        java.security.KeyPairGenerator rsaKeys = java.security.KeyPairGenerator.getInstance("RSA");
        rsaKeys.initialize(2048);
        X509Certificate rsa = writeCredential("shop-rsa", "shop.example.com", false, rsaKeys.generateKeyPair());
        return new X509Certificate[] {ecdsa, rsa};
    }

    /** A client accepting only ECDSA gets {@code ecdsa}, one accepting only RSA {@code rsa}; both pass the CA. */
    private void presentsByKeyType(X509Certificate ecdsa, X509Certificate rsa) throws Exception {
        for (var expected : List.of(Map.entry("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", ecdsa),
                Map.entry("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", rsa))) {
            KeyPair keys = CertificateRequest.generateKeyPair();
            try (SSLSocket socket = socket("shop.example.com", keys,
                    CLIENT_CA.issue(keys.getPublic(), ID, NOW, Duration.ofHours(1)), new String[] {"TLSv1.2"}, null)) {
                socket.setEnabledCipherSuites(new String[] {expected.getKey()});
                socket.startHandshake();
                assertThat(socket.getSession().getPeerCertificates()[0]).as(expected.getKey())
                        .isEqualTo(expected.getValue());
                assertThat(request(socket, "shop.example.com")).as("client CA of the first certificate")
                        .startsWith("HTTP/1.1 200");
            }
        }
    }

    private static ServerTlsSpec matching(ServerTlsSpec s, List<String> sans, List<String> spki, List<String> hashes) {
        return new ServerTlsSpec(s.server(), s.sniHosts(), s.mode(), s.credentialName(), s.serverCertificate(),
                s.privateKey(), s.caCertificates(), s.minProtocolVersion(), s.maxProtocolVersion(), s.cipherSuites(),
                s.caCrl(), sans, spki, hashes);
    }

    @Test
    void optionalMutualAcceptsAClientWithoutCertificateButNotAForeignOne() throws Exception {
        writeCredential("shop", "shop.example.com", true);
        start(view("v1", tls("shop", TlsMode.OPTIONAL_MUTUAL, "shop.example.com", null, null)));

        try (SSLSocket socket = handshake("shop.example.com", null, null, null)) {
            assertThat(request(socket, "shop.example.com")).startsWith("HTTP/1.1 200");
        }
        assertThat(refused(() -> handshake("shop.example.com", FOREIGN_CA, null, null))).isTrue();
    }

    @Test
    void protocolVersionLimitsAreEnforced() throws Exception {
        writeCredential("old", "old.example.com", false);
        writeCredential("new", "new.example.com", false);
        start(view("v1", tls("old", TlsMode.SIMPLE, "old.example.com", null, TlsProtocol.TLSV1_2),
                tls("new", TlsMode.SIMPLE, "new.example.com", TlsProtocol.TLSV1_3, null)));

        try (SSLSocket socket = handshake("old.example.com", null, new String[] {"TLSv1.2", "TLSv1.3"}, null)) {
            assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.2");
        }
        assertThat(refused(() -> handshake("old.example.com", null, new String[] {"TLSv1.3"}, null))).isTrue();
        try (SSLSocket socket = handshake("new.example.com", null, new String[] {"TLSv1.2", "TLSv1.3"}, null)) {
            assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.3");
        }
        assertThat(refused(() -> handshake("new.example.com", null, new String[] {"TLSv1.2"}, null))).isTrue();
    }

    @Test
    void alpnNegotiatesH2AndHttp11() throws Exception {
        writeCredential("shop", "shop.example.com", false);
        start(view("v1", simple("shop", "shop.example.com")));

        try (SSLSocket socket = handshake("shop.example.com", null, null, new String[] {"h2", "http/1.1"})) {
            assertThat(socket.getApplicationProtocol()).isEqualTo("h2");
        }
        try (SSLSocket socket = handshake("shop.example.com", null, null, new String[] {"http/1.1"})) {
            assertThat(socket.getApplicationProtocol()).isEqualTo("http/1.1");
            assertThat(request(socket, "shop.example.com")).startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void httpsRedirectAnswers301ForItsHostsOnly() throws Exception {
        writeCredential("shop", "shop.example.com", false);
        start(view("v1", simple("shop", "shop.example.com")));

        String redirected = plainRequest("shop.example.com:8080", "/a/b?c=d");
        assertThat(redirected).startsWith("HTTP/1.1 301");
        assertThat(redirected.toLowerCase()).contains("location: https://shop.example.com:8080/a/b?c=d");
        assertThat(plainRequest("other.org", "/")).startsWith("HTTP/1.1 200").endsWith("over plain text");
    }

    @Test
    void aRotatedCertificateIsServedAndABrokenOneKeepsThePreviousServing() throws Exception {
        X509Certificate first = writeCredential("shop", "shop.example.com", false);
        start(view("v1", simple("shop", "shop.example.com")));
        assertThat(served("shop.example.com")).isEqualTo(first);

        X509Certificate second = writeCredential("shop", "shop.example.com", false);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(served("shop.example.com"))
                .isEqualTo(second));

        Files.writeString(credentials.resolve("shop/tls.crt"), "not a certificate");
        await().atMost(Duration.ofSeconds(10)).until(() -> listeners().credentialProblems().containsKey("gateway/443"));
        assertThat(listeners().credentialProblems().get("gateway/443").values()).singleElement().asString()
                .contains("not a PEM certificate");
        assertThat(served("shop.example.com")).isEqualTo(second);
    }

    @Test
    void aServerThatNeverHadACertificateRefusesItsConnectionsAndTheOthersServe() throws Exception {
        X509Certificate shop = writeCredential("shop", "shop.example.com", false);
        start(view("v1", simple("shop", "shop.example.com"), simple("missing", "*")));

        assertThat(served("shop.example.com")).isEqualTo(shop);
        assertThat(refused(() -> handshake("api.example.com", null, null, null))).isTrue();
        assertThat(refused(() -> handshake(null, null, null, null))).isTrue();
        assertThat(listeners().credentialProblems().get("gateway/443")).containsKey("istio-system/ingress servers[1]");

        X509Certificate late = writeCredential("missing", "api.example.com", false);
        // Refused (a handshake failure) until the poll reads the files.
        await().atMost(Duration.ofSeconds(10)).ignoreExceptionsInstanceOf(IOException.class)
                .untilAsserted(() -> assertThat(served("api.example.com")).isEqualTo(late));
    }

    @Test
    void cipherSuitesLimitTls12() throws Exception {
        writeCredential("shop", "shop.example.com", false);
        ServerTlsSpec spec = new ServerTlsSpec("istio-system/ingress servers[0]", List.of("shop.example.com"),
                TlsMode.SIMPLE, "shop", null, null, null, null, TlsProtocol.TLSV1_2,
                List.of("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"));
        start(view("v1", spec));

        try (SSLSocket socket = handshake("shop.example.com", null, null, null)) {
            assertThat(socket.getSession().getCipherSuite()).isEqualTo("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384");
        }
        assertThat(refused(() -> {
            SSLSocket socket = socket("shop.example.com", null, null, null);
            socket.setEnabledCipherSuites(new String[] {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"});
            socket.startHandshake();
            return socket;
        })).isTrue();
    }

    @Test
    void aPortTurningFromPlainTextToTlsIsOpenedAgainWithTls() throws Exception {
        X509Certificate shop = writeCredential("shop", "shop.example.com", false);
        ProxyView plain = new ProxyView("v1", "s-v1", List.of(new ListenerSpec("gateway/443", 443,
                ListenerSpec.Direction.GATEWAY, List.of(new VirtualHostSpec("gateway/443/*", List.of("*"),
                        List.of(direct(443, "over plain text")))))), List.of(),
                ProxyView.OutboundTrafficPolicy.REGISTRY_ONLY);
        start(plain);
        assertThat(plainRequestTo(https, "shop.example.com")).endsWith("over plain text");

        ProxyView tls = view("v2", simple("shop", "shop.example.com"));
        controlPlane.push(tls);
        assertThat(controlPlane.answerTo("v2")).isInstanceOf(Ack.class);

        assertThat(served("shop.example.com")).isEqualTo(shop);
        assertThat(plainRequestTo(https, "shop.example.com")).doesNotContain("over plain text");
    }

    @Test
    void istioMutualPresentsTheWorkloadCertificateRequiresAMeshClientAndAuthorizesItsIdentity() throws Exception {
        WorkloadCertificateHolder workload = workload(GATEWAY, MESH);
        Source fromClient = new Source(List.of("cluster.local/ns/shop/sa/client"), null, null, null, null, null,
                null, null, null, null, null, null);
        AuthSpec.AuthorizationPolicySpec allowClient = new AuthSpec.AuthorizationPolicySpec(
                "istio-system/allow-client", AuthorizationPolicy.Action.ALLOW,
                List.of(new Rule(List.of(new Rule.From(fromClient)), List.of(), List.of())), null, List.of());
        ProxyView files = view("v1", tls(null, TlsMode.ISTIO_MUTUAL, "*", null, null));
        serverRoot = MESH.root();
        start(new ProxyView("v1", "s-v1", files.listeners(), List.of(), ProxyView.OutboundTrafficPolicy.REGISTRY_ONLY,
                NormalizationType.BASE, null, null, new AuthSpec(List.of(allowClient), List.of())), workload);

        KeyPair keys = CertificateRequest.generateKeyPair();
        try (SSLSocket socket = connected(socket("shop.example.com", keys,
                MESH.issue(keys.getPublic(), CLIENT, NOW, Duration.ofHours(1)), null, null))) {
            assertThat(socket.getSession().getPeerCertificates()[0]).isEqualTo(workload.current().certificate());
            assertThat(request(socket, "shop.example.com")).startsWith("HTTP/1.1 200").endsWith("over tls");
        }
        // a mesh identity the policy does not allow: the identity, not just the handshake, reached authorization
        KeyPair other = CertificateRequest.generateKeyPair();
        try (SSLSocket socket = connected(socket("shop.example.com", other,
                MESH.issue(other.getPublic(), INTRUDER, NOW, Duration.ofHours(1)), null, null))) {
            assertThat(request(socket, "shop.example.com")).startsWith("HTTP/1.1 403").endsWith("RBAC: access denied");
        }
        assertThat(refused(() -> handshake("shop.example.com", null, null, null))).isTrue();
        KeyPair foreign = CertificateRequest.generateKeyPair();
        assertThat(refused(() -> connected(socket("shop.example.com", foreign,
                FOREIGN_CA.issue(foreign.getPublic(), CLIENT, NOW, Duration.ofHours(1)), null, null)))).isTrue();
    }

    @Test
    void istioMutualOnAGatewayWithoutMeshCredentialsRefusesItsConnectionsAndSaysWhy() throws Exception {
        serverRoot = MESH.root();
        start(view("v1", tls(null, TlsMode.ISTIO_MUTUAL, "*", null, null)));

        KeyPair keys = CertificateRequest.generateKeyPair();
        assertThat(refused(() -> connected(socket("shop.example.com", keys,
                MESH.issue(keys.getPublic(), CLIENT, NOW, Duration.ofHours(1)), null, null)))).isTrue();
        assertThat(listeners().credentialProblems().get("gateway/443").values()).singleElement().asString()
                .contains("started without mesh credentials");
    }

    @Test
    void kubernetesTlsSecretsOfTheGatewaysNamespaceAreServedAndAnUpdatedSecretIsServedWithoutRestart()
            throws Exception {
        kubernetes = mockApiServer();
        PemCredential first = credential("shop.example.com");
        secret("istio-system", "shop", "kubernetes.io/tls", Map.of("tls.crt", first.certificate(), "tls.key",
                first.key()));
        // the same name in another namespace must not be used
        PemCredential elsewhere = credential("api.example.com");
        secret("default", "api", "kubernetes.io/tls", Map.of("tls.crt", elsewhere.certificate(), "tls.key",
                elsewhere.key()));
        start(view("v1", simple("shop", "shop.example.com"), simple("api", "api.example.com")), null,
                "--meshgate.gateway.kubernetes-secrets=true",
                "--meshgate.gateway.kubernetes-api-server=http://127.0.0.1:" + kubernetes.getPort());

        assertThat(served("shop.example.com")).isEqualTo(first.leaf());
        assertThat(refused(() -> handshake("api.example.com", null, null, null))).isTrue();
        assertThat(listeners().credentialProblems().get("gateway/443").get("istio-system/ingress servers[1]"))
                .isEqualTo("Secret istio-system/api not found");

        PemCredential second = credential("shop.example.com");
        secret("istio-system", "shop", "kubernetes.io/tls", Map.of("tls.crt", second.certificate(), "tls.key",
                second.key()));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(served("shop.example.com"))
                .isEqualTo(second.leaf()));
    }

    @Test
    void mutualReadsTheClientCaFromAGenericSecretOrFromTheSeparateCacertSecret() throws Exception {
        kubernetes = mockApiServer();
        String ca = Pem.encodeCertificates(List.of(CLIENT_CA.certificate()));
        PemCredential generic = credential("shop.example.com");
        secret("istio-system", "shop", "Opaque", Map.of("cert", generic.certificate(), "key", generic.key(),
                "cacert", ca));
        PemCredential tls = credential("api.example.com");
        secret("istio-system", "api", "kubernetes.io/tls", Map.of("tls.crt", tls.certificate(), "tls.key",
                tls.key()));
        secret("istio-system", "api-cacert", "Opaque", Map.of("ca.crt", ca));
        start(view("v1", tls("shop", TlsMode.MUTUAL, "shop.example.com", null, null),
                tls("api", TlsMode.MUTUAL, "api.example.com", null, null)), null,
                "--meshgate.gateway.kubernetes-secrets=true",
                "--meshgate.gateway.kubernetes-api-server=http://127.0.0.1:" + kubernetes.getPort());

        for (String host : List.of("shop.example.com", "api.example.com")) {
            assertThat(refused(() -> handshake(host, null, null, null))).as(host).isTrue();
            assertThat(refused(() -> handshake(host, FOREIGN_CA, null, null))).as(host).isTrue();
            try (SSLSocket socket = handshake(host, CLIENT_CA, null, null)) {
                assertThat(request(socket, host)).startsWith("HTTP/1.1 200");
            }
        }
    }

    // --- helpers

    /** A server certificate for {@code dnsName} from the servers' CA, as PEM. */
    private record PemCredential(String certificate, String key, X509Certificate leaf) {
    }

    private static PemCredential credential(String dnsName) {
        KeyPair keys = CertificateRequest.generateKeyPair();
        List<X509Certificate> chain = SERVER_CA.issueServer(keys.getPublic(), ID, List.of(dnsName), List.of(), NOW,
                Duration.ofHours(1));
        return new PemCredential(Pem.encodeCertificates(chain), Pem.encodePrivateKey(keys.getPrivate()),
                chain.get(0));
    }

    private static KubernetesMockServer mockApiServer() {
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        return server;
    }

    /** Creates or replaces a Secret with the official client. */
    private void secret(String namespace, String name, String type, Map<String, String> data) throws Exception {
        CoreV1Api api = new CoreV1Api(new ApiClient().setBasePath("http://127.0.0.1:" + kubernetes.getPort()));
        Map<String, byte[]> bytes = new HashMap<>();
        data.forEach((key, value) -> bytes.put(key, value.getBytes(StandardCharsets.US_ASCII)));
        // the mock server needs apiVersion and kind in the body (422 without)
        V1Secret secret = new V1Secret().apiVersion("v1").kind("Secret")
                .metadata(new V1ObjectMeta().name(name).namespace(namespace)).type(type).data(bytes);
        try {
            api.createNamespacedSecret(namespace, secret).execute();
        } catch (ApiException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            api.replaceNamespacedSecret(name, namespace, secret).execute();
        }
    }

    /** A workload certificate holder for {@code identity} issued by {@code issuer}, trusting the mesh root. */
    private static WorkloadCertificateHolder workload(SpiffeId identity, CertificateIssuer issuer) {
        WorkloadCertificateHolder holder = new WorkloadCertificateHolder(List.of(MESH.root()));
        KeyPair keys = CertificateRequest.generateKeyPair();
        holder.update(keys.getPrivate(), issuer.issueServer(keys.getPublic(), identity, List.of(), List.of(), NOW,
                Duration.ofHours(1)), List.of(MESH.root()));
        return holder;
    }

    private static String plainRequestTo(int port, String host) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            return readAll(socket.getInputStream());
        }
    }

    private GatewayListeners listeners() {
        return gateway.getBean(GatewayListeners.class);
    }

    private void start(ProxyView view) throws Exception {
        start(view, null);
    }

    /** Starts the gateway with {@code workload} as its workload certificate (none when null). */
    private void start(ProxyView view, WorkloadCertificateHolder workload, String... more) throws Exception {
        controlPlane = new TestControlPlane(0, view);
        SpringApplicationBuilder builder = new SpringApplicationBuilder(GatewayApplication.class);
        if (workload != null) {
            builder.initializers(context -> context.getBeanFactory().registerSingleton("testWorkloadCertificates",
                    workload));
        }
        List<String> args = new ArrayList<>(List.of(
                "--meshgate.proxy.name=ingress", "--meshgate.proxy.namespace=istio-system",
                "--meshgate.proxy.discovery-address=127.0.0.1:" + controlPlane.port(),
                "--meshgate.proxy.admin-port=0",
                "--meshgate.gateway.port-map.443=" + https, "--meshgate.gateway.port-map.80=" + http,
                "--meshgate.gateway.credentials-root=" + credentials,
                "--meshgate.gateway.credentials-poll-interval=200ms"));
        args.addAll(List.of(more));
        gateway = builder.run(args.toArray(String[]::new));
        assertThat(controlPlane.answerTo(view.version())).isInstanceOf(Ack.class);
    }

    private static ServerTlsSpec simple(String credential, String host) {
        return tls(credential, TlsMode.SIMPLE, host, null, null);
    }

    private static ServerTlsSpec tls(String credential, TlsMode mode, String host, TlsProtocol min, TlsProtocol max) {
        return new ServerTlsSpec("istio-system/ingress servers[" + credential + "]", List.of(host), mode, credential,
                null, null, null, min, max, List.of());
    }

    /** Port 443 with the TLS servers, port 80 plain text redirecting {@code *.example.com}. */
    private static ProxyView view(String version, ServerTlsSpec... servers) {
        List<ServerTlsSpec> specs = new ArrayList<>();
        for (int i = 0; i < servers.length; i++) {
            ServerTlsSpec s = servers[i];
            specs.add(new ServerTlsSpec("istio-system/ingress servers[" + i + "]", s.sniHosts(), s.mode(),
                    s.credentialName(), s.serverCertificate(), s.privateKey(), s.caCertificates(),
                    s.minProtocolVersion(), s.maxProtocolVersion(), s.cipherSuites(), s.caCrl(), s.subjectAltNames(),
                    s.verifyCertificateSpki(), s.verifyCertificateHash(), s.alternate()));
        }
        ListenerSpec tls = new ListenerSpec("gateway/443", 443, ListenerSpec.Direction.GATEWAY,
                List.of(new VirtualHostSpec("gateway/443/*", List.of("*"), List.of(direct(443, "over tls")))),
                specs, List.of());
        ListenerSpec plain = new ListenerSpec("gateway/80", 80, ListenerSpec.Direction.GATEWAY,
                List.of(new VirtualHostSpec("gateway/80/*", List.of("*"), List.of(direct(80, "over plain text")))),
                List.of(), List.of("*.example.com"));
        return new ProxyView(version, "s-" + version, List.of(plain, tls), List.of(),
                ProxyView.OutboundTrafficPolicy.REGISTRY_ONLY);
    }

    private static RouteSpec direct(int port, String body) {
        return new RouteSpec("default.direct-" + port, null, List.of(), null, null, new DirectResponse(200, body),
                null, HeaderOps.NONE, HeaderOps.NONE);
    }

    /** Writes {@code <root>/<name>/tls.crt, tls.key} (and {@code ca.crt}: the client CA); the new leaf. */
    private X509Certificate writeCredential(String name, String dnsName, boolean withCa) throws IOException {
        return writeCredential(name, dnsName, withCa, CertificateRequest.generateKeyPair());
    }

    private X509Certificate writeCredential(String name, String dnsName, boolean withCa, KeyPair keys)
            throws IOException {
        List<X509Certificate> chain = SERVER_CA.issueServer(keys.getPublic(), ID, List.of(dnsName), List.of(), NOW,
                Duration.ofHours(1));
        Path directory = Files.createDirectories(credentials.resolve(name));
        // The key first: a poll between the two writes sees a mismatched pair, which must be kept out.
        Files.writeString(directory.resolve("tls.key"), Pem.encodePrivateKey(keys.getPrivate()));
        Files.writeString(directory.resolve("tls.crt"), Pem.encodeCertificates(chain));
        if (withCa) {
            Files.writeString(directory.resolve("ca.crt"), Pem.encodeCertificates(List.of(CLIENT_CA.certificate())));
        }
        return chain.get(0);
    }

    private Certificate served(String sni) throws Exception {
        try (SSLSocket socket = handshake(sni, null, null, null)) {
            return socket.getSession().getPeerCertificates()[0];
        }
    }

    private SSLSocket handshake(String sni, CertificateIssuer clientIssuer, String[] protocols, String[] alpn)
            throws Exception {
        SSLSocket socket = socket(sni, clientIssuer, protocols, alpn);
        try {
            socket.startHandshake();
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    private SSLSocket socket(String sni, CertificateIssuer clientIssuer, String[] protocols, String[] alpn)
            throws Exception {
        if (clientIssuer == null) {
            return socket(sni, null, null, protocols, alpn);
        }
        KeyPair keys = CertificateRequest.generateKeyPair();
        return socket(sni, keys, clientIssuer.issue(keys.getPublic(), ID, NOW, Duration.ofHours(1)), protocols, alpn);
    }

    private SSLSocket socket(String sni, KeyPair keys, List<X509Certificate> chain, String[] protocols,
            String[] alpn) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("ca", serverRoot);
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trust);
        KeyManagerFactory keyManagers = null;
        if (keys != null) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("client", keys.getPrivate(), new char[0], chain.toArray(X509Certificate[]::new));
            keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(store, new char[0]);
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers == null ? null : new KeyManager[] {
            new Presenting((X509ExtendedKeyManager) keyManagers.getKeyManagers()[0])},
                trustManagers.getTrustManagers(), null);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), https);
        socket.setSoTimeout(10_000);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
        if (protocols != null) {
            parameters.setProtocols(protocols);
        }
        if (alpn != null) {
            parameters.setApplicationProtocols(alpn);
        }
        socket.setSSLParameters(parameters);
        return socket;
    }

    /** Whether the connection fails in the handshake or, as a TLS 1.3 server may refuse after it, on the first read. */
    private static boolean refused(ThrowingSupplier<SSLSocket> connect) {
        try (SSLSocket socket = connect.get()) {
            return request(socket, "shop.example.com").isEmpty();
        } catch (Exception e) {
            return true;
        }
    }

    private static String request(Socket socket, String host) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return readAll(socket.getInputStream());
    }

    private String plainRequest(String host, String path) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), http)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            return readAll(socket.getInputStream());
        }
    }

    private static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            in.transferTo(bytes);
        } catch (java.net.SocketException e) {
            // a reset after what was read
        }
        return bytes.toString(StandardCharsets.US_ASCII);
    }

    /** Presents the client certificate whatever CAs the server names, so that a foreign one is really sent. */
    private static final class Presenting extends X509ExtendedKeyManager {
        private final X509ExtendedKeyManager delegate;

        Presenting(X509ExtendedKeyManager delegate) {
            this.delegate = delegate;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return "client";
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return "client";
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[] {"client"};
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return delegate.getServerAliases(keyType, issuers);
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return delegate.chooseServerAlias(keyType, issuers, socket);
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return delegate.getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return delegate.getPrivateKey(alias);
        }
    }

    @FunctionalInterface
    private interface ThrowingSupplier<T> {
        T get() throws Exception;
    }
}
