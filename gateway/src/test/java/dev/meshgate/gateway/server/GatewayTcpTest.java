package dev.meshgate.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.StandardConstants;
import javax.net.ssl.TrustManagerFactory;

import dev.meshgate.core.discovery.Ack;
import dev.meshgate.core.index.MeshIndex;
import dev.meshgate.core.index.MeshSettings;
import dev.meshgate.core.security.identity.SpiffeId;
import dev.meshgate.core.security.pki.CertificateIssuer;
import dev.meshgate.core.security.pki.CertificateRequest;
import dev.meshgate.core.security.pki.Pem;
import dev.meshgate.core.translate.ProxyViewTranslator;
import dev.meshgate.core.validation.MeshValidator;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.ProxyKind;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.yaml.ResourceReader;
import dev.meshgate.gateway.GatewayApplication;
import dev.meshgate.proxy.discovery.TestControlPlane;
import dev.meshgate.proxy.telemetry.IstioMetrics;
import dev.meshgate.testing.FreePorts;
import dev.meshgate.testing.MeshYaml;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Gateway servers served over TCP, on real loopback sockets: an opaque TCP (MONGO) server forwarding by a
 * VirtualService {@code tcp} route weighted between subsets, and TLS PASSTHROUGH servers routed by the
 * ClientHello's SNI to TLS backends whose own certificates the client verifies through the gateway. The views are
 * translated from Istio YAML, pushed by a test control plane.
 */
class GatewayTcpTest {

    private static final Instant NOW = Instant.now();
    private static final CertificateIssuer CA = CertificateIssuer.selfSignedRoot("backends", NOW, Duration.ofDays(1));
    private static final SpiffeId ID = SpiffeId.parse("spiffe://cluster.local/ns/default/sa/backend");
    private static final ProxyIdentity GATEWAY = new ProxyIdentity("ingress", "istio-system", ProxyKind.GATEWAY,
            Map.of("istio", "ingressgateway"), null, null);

    private final List<ServerSocket> backends = new ArrayList<>();
    private TestControlPlane controlPlane;
    private ConfigurableApplicationContext gateway;
    private int tcpPort;
    private int tlsPort;

    @BeforeEach
    void ports() {
        tcpPort = FreePorts.next();
        tlsPort = FreePorts.next();
    }

    @AfterEach
    void stopAll() throws IOException {
        if (gateway != null) {
            gateway.close();
        }
        if (controlPlane != null) {
            controlPlane.close();
        }
        for (ServerSocket backend : backends) {
            backend.close();
        }
    }

    @Test
    void aTcpServerForwardsByTheBoundTcpRouteWeightedBetweenSubsets() throws Exception {
        int v1 = echo("v1");
        int v2 = echo("v2");
        start(view("v1", """
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: mongo, namespace: default}
                spec:
                  hosts: [mongo.default.svc.cluster.local]
                  location: MESH_INTERNAL
                  resolution: STATIC
                  ports: [{name: mongo, number: 27017, protocol: MONGO}]
                  endpoints:
                    - {address: 127.0.0.1, ports: {mongo: %d}, labels: {version: v1}}
                    - {address: 127.0.0.1, ports: {mongo: %d}, labels: {version: v2}}
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: mongo, namespace: default}
                spec:
                  host: mongo.default.svc.cluster.local
                  subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]
                ---
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: ingress, namespace: istio-system}
                spec:
                  selector: {istio: ingressgateway}
                  servers:
                    - port: {number: 27017, name: mongo, protocol: MONGO}
                      hosts: ["*"]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: mongo, namespace: default}
                spec:
                  hosts: ["*"]
                  gateways: [istio-system/ingress]
                  tcp:
                    - match: [{port: 27018}]
                      route: [{destination: {host: mongo.default.svc.cluster.local, subset: v2}}]
                    - match: [{port: 27017}]
                      route:
                        - {destination: {host: mongo.default.svc.cluster.local, subset: v1}, weight: 50}
                        - {destination: {host: mongo.default.svc.cluster.local, subset: v2}, weight: 50}
                """.formatted(v1, v2)), "--meshgate.gateway.port-map.27017=" + tcpPort);

        Set<String> seen = new HashSet<>();
        // 40 connections at 50 %: one subset never chosen has probability 2^-39.
        for (int i = 0; i < 40; i++) {
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), tcpPort)) {
                socket.setSoTimeout(10_000);
                String answer = exchange(socket, "hello " + i);
                assertThat(answer).endsWith(":hello " + i);
                seen.add(answer.substring(0, answer.indexOf(':')));
            }
        }
        assertThat(seen).containsExactlyInAnyOrder("v1", "v2");
    }

    @Test
    void passthroughRoutesBySniAndTheClientVerifiesTheBackendsOwnCertificate() throws Exception {
        TlsBackend a = tlsBackend("a", "a.example.com");
        TlsBackend b = tlsBackend("b", "b.example.com");
        start(view("v1", passthrough(a.port(), b.port())), "--meshgate.gateway.port-map.443=" + tlsPort);

        try (SSLSocket socket = tlsClient("a.example.com")) {
            socket.startHandshake();
            assertThat(socket.getSession().getPeerCertificates()[0]).isEqualTo(a.certificate());
            assertThat(exchange(socket, "ping")).isEqualTo("a:ping");
        }
        try (SSLSocket socket = tlsClient("b.example.com")) {
            socket.startHandshake();
            assertThat(socket.getSession().getPeerCertificates()[0]).isEqualTo(b.certificate());
            assertThat(exchange(socket, "pong")).isEqualTo("b:pong");
        }
    }

    @Test
    void httpsTerminatedAndPassthroughServersShareAPortByTheMostSpecificServerName(@TempDir Path credentials)
            throws Exception {
        TlsBackend legacy = tlsBackend("legacy", "legacy.example.com");
        X509Certificate shopCertificate = credential(credentials, "shop-cert", "shop.example.com");
        // shop.example.com: terminated (an exact name beats the passthrough's *.example.com); any other name of the
        // domain: passed through to the legacy backend.
        start(view("v1", sharedTlsPort(legacy.port())), "--meshgate.gateway.port-map.443=" + tlsPort,
                "--meshgate.gateway.credentials-root=" + credentials);

        try (SSLSocket socket = tlsClient("shop.example.com")) {
            socket.startHandshake();
            assertThat(socket.getSession().getPeerCertificates()[0]).isEqualTo(shopCertificate);
            socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: shop.example.com\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                    .startsWith("HTTP/1.1 200").endsWith("terminated at the gateway");
        }
        try (SSLSocket socket = tlsClient("legacy.example.com")) {
            socket.startHandshake();
            assertThat(socket.getSession().getPeerCertificates()[0]).isEqualTo(legacy.certificate());
            assertThat(exchange(socket, "untouched")).isEqualTo("legacy:untouched");
        }
        // a name neither takes is refused (NR), as before
        assertThat(catchThrowable(() -> {
            try (SSLSocket socket = tlsClient("shop.example.org")) {
                socket.startHandshake();
            }
        })).isInstanceOf(IOException.class);
    }

    @Test
    void aTlsServerTerminatesTlsAndRelaysTheDecryptedBytesByTheTcpRoute(@TempDir Path credentials) throws Exception {
        int mongo = echo("mongo");
        X509Certificate mongoCertificate = credential(credentials, "mongo-cert", "mongo.example.com");
        // Istio's "TLS termination for TCP": a TLS server with mode SIMPLE, a tcp route to a plain text backend.
        start(view("v1", """
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: mongo, namespace: default}
                spec:
                  hosts: [mongo.internal]
                  location: MESH_EXTERNAL
                  resolution: STATIC
                  ports: [{name: mongo, number: 27017, protocol: MONGO}]
                  endpoints: [{address: 127.0.0.1, ports: {mongo: %d}}]
                ---
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: ingress, namespace: istio-system}
                spec:
                  selector: {istio: ingressgateway}
                  servers:
                    - port: {number: 443, name: tls-mongo, protocol: TLS}
                      hosts: ["mongo.example.com"]
                      tls: {mode: SIMPLE, credentialName: mongo-cert}
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: mongo, namespace: default}
                spec:
                  hosts: ["mongo.example.com"]
                  gateways: [istio-system/ingress]
                  tcp:
                    - match: [{port: 443}]
                      route: [{destination: {host: mongo.internal, port: {number: 27017}}}]
                """.formatted(mongo)), "--meshgate.gateway.port-map.443=" + tlsPort,
                "--meshgate.gateway.credentials-root=" + credentials);

        try (SSLSocket socket = tlsClient("mongo.example.com")) {
            socket.startHandshake();
            assertThat(socket.getSession().getPeerCertificates()[0]).isEqualTo(mongoCertificate);
            // the backend speaks plain text: it answers only if the gateway decrypted the line
            assertThat(exchange(socket, "hello")).isEqualTo("mongo:hello");
            assertThat(exchange(socket, "again")).isEqualTo("mongo:again");
        }
        // plain text to the TLS port is no TLS handshake: the backend never sees it
        try (Socket plain = new Socket(InetAddress.getLoopbackAddress(), tlsPort)) {
            plain.setSoTimeout(10_000);
            plain.getOutputStream().write("hello\n".getBytes(StandardCharsets.UTF_8));
            assertThat(plain.getInputStream().read()).isIn(-1, 0x15);
        }
    }

    @Test
    void theTerminatingListenerBehindASharedPortSeesTheClientsAddress(@TempDir Path credentials) throws Exception {
        TlsBackend legacy = tlsBackend("legacy", "legacy.example.com");
        credential(credentials, "shop-cert", "shop.example.com");
        // the HTTPS server shares its port with a PASSTHROUGH one, so its listener sits behind the port's SNI
        // listener; a policy denying one loopback address only holds if that listener sees the client's address
        start(view("v1", sharedTlsPort(legacy.port()) + """
                ---
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: deny-one-client, namespace: istio-system}
                spec:
                  selector: {matchLabels: {istio: ingressgateway}}
                  action: DENY
                  rules: [{from: [{source: {remoteIpBlocks: [127.0.0.2/32]}}]}]
                """), "--meshgate.gateway.port-map.443=" + tlsPort,
                "--meshgate.gateway.credentials-root=" + credentials);

        assertThat(shopStatusFrom("127.0.0.2")).as("the denied client").startsWith("HTTP/1.1 403");
        assertThat(shopStatusFrom("127.0.0.1")).as("another client").startsWith("HTTP/1.1 200");
    }

    /** The status line of a GET to shop.example.com through the gateway's TLS port, from {@code localAddress}. */
    private String shopStatusFrom(String localAddress) throws Exception {
        try (SSLSocket socket = tlsClient("shop.example.com", InetAddress.getByName(localAddress))) {
            socket.startHandshake();
            socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: shop.example.com\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    @Test
    void aClientHelloWithAnUnknownOrNoServerNameIsClosedAndCountedAsNoRoute() throws Exception {
        TlsBackend a = tlsBackend("a", "a.example.com");
        TlsBackend b = tlsBackend("b", "b.example.com");
        start(view("v1", passthrough(a.port(), b.port())), "--meshgate.gateway.port-map.443=" + tlsPort);

        assertThat(catchThrowable(() -> {
            try (SSLSocket socket = tlsClient("c.example.com")) {
                socket.startHandshake();
            }
        })).isInstanceOf(IOException.class);
        assertThat(catchThrowable(() -> {
            try (SSLSocket socket = tlsClient(null)) {
                socket.startHandshake();
            }
        })).isInstanceOf(IOException.class);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(metrics()).contains(
                "meshgate_tcp_connections_refused_total{listener=\"gateway-tcp/443\",response_flags=\"NR\"} 2"));
        // the routed names still work
        try (SSLSocket socket = tlsClient("a.example.com")) {
            assertThat(exchange(socket, "still")).isEqualTo("a:still");
        }
    }

    @Test
    void aPortTurnsFromTcpToHttpAndBackFromOneViewToTheNext() throws Exception {
        int v1 = echo("v1");
        String tcp = """
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: db, namespace: default}
                spec:
                  hosts: [db.default.svc.cluster.local]
                  location: MESH_INTERNAL
                  resolution: STATIC
                  ports: [{name: tcp, number: 5432, protocol: TCP}]
                  endpoints: [{address: 127.0.0.1, ports: {tcp: %d}}]
                ---
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: ingress, namespace: istio-system}
                spec:
                  selector: {istio: ingressgateway}
                  servers: [{port: {number: 5432, name: tcp, protocol: TCP}, hosts: ["*"]}]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: db, namespace: default}
                spec:
                  hosts: ["*"]
                  gateways: [istio-system/ingress]
                  tcp: [{route: [{destination: {host: db.default.svc.cluster.local}}]}]
                """.formatted(v1);
        String http = """
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: ingress, namespace: istio-system}
                spec:
                  selector: {istio: ingressgateway}
                  servers: [{port: {number: 5432, name: http, protocol: HTTP}, hosts: ["*"]}]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: web, namespace: default}
                spec:
                  hosts: ["*"]
                  gateways: [istio-system/ingress]
                  http: [{directResponse: {status: 200, body: {string: over http}}}]
                """;
        start(view("v1", tcp), "--meshgate.gateway.port-map.5432=" + tcpPort);
        assertThat(tcpExchange("one")).isEqualTo("v1:one");

        ResourceReader.ReadResult read = ResourceReader.read("test.yaml", http);
        ProxyView httpView = ProxyViewTranslator.translate(MeshIndex.of(MeshValidator.validate(read.resources(),
                read.diagnostics()).accepted(), MeshSettings.DEFAULT), GATEWAY);
        controlPlane.push(httpView);
        assertThat(controlPlane.answerTo(httpView.version())).isInstanceOf(Ack.class);
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), tcpPort)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                    .startsWith("HTTP/1.1 200").endsWith("over http");
        }

        ProxyView back = view("v3", tcp);
        controlPlane.push(back);
        assertThat(controlPlane.answerTo(back.version())).isInstanceOf(Ack.class);
        assertThat(tcpExchange("two")).isEqualTo("v1:two");
    }

    @Test
    void autoPassthroughRoutesTheSniNamingAClusterToIt() throws Exception {
        // JSSE servers refuse cluster names as SNI (no LDH host names): the backend records what reaches it instead.
        List<String> received = java.util.Collections.synchronizedList(new ArrayList<>());
        ServerSocket backend = new ServerSocket(FreePorts.next(), 50, InetAddress.getLoopbackAddress());
        backends.add(backend);
        Thread acceptor = new Thread(() -> {
            while (!backend.isClosed()) {
                try (Socket socket = backend.accept()) {
                    byte[] hello = new byte[512];
                    int n = socket.getInputStream().read(hello);
                    received.add(new String(hello, 0, Math.max(0, n), StandardCharsets.ISO_8859_1));
                } catch (IOException e) {
                    return;
                }
            }
        }, "backend-reviews");
        acceptor.setDaemon(true);
        acceptor.start();
        start(view("v1", """
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: reviews, namespace: default}
                spec:
                  hosts: [reviews.default.svc.cluster.local]
                  location: MESH_INTERNAL
                  resolution: STATIC
                  ports: [{name: tls, number: 9443, protocol: TLS}]
                  endpoints: [{address: 127.0.0.1, ports: {tls: %d}, labels: {version: v1}}]
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: reviews, namespace: default}
                spec:
                  host: reviews.default.svc.cluster.local
                  subsets: [{name: v1, labels: {version: v1}}]
                ---
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: cross-network, namespace: istio-system}
                spec:
                  selector: {istio: ingressgateway}
                  servers:
                    - port: {number: 15443, name: tls, protocol: TLS}
                      hosts: ["*.local"]
                      tls: {mode: AUTO_PASSTHROUGH}
                """.formatted(backend.getLocalPort())), "--meshgate.gateway.port-map.15443=" + tlsPort);

        List<String> names = List.of("outbound_.9443_._.reviews.default.svc.cluster.local",
                "outbound_.9443_.v1_.reviews.default.svc.cluster.local",
                "outbound_.9443_.v2_.reviews.default.svc.cluster.local");
        for (String sni : names) {
            assertThat(catchThrowable(() -> {
                try (SSLSocket socket = tlsClient(sni)) {
                    socket.startHandshake();
                }
            })).isInstanceOf(IOException.class);
        }
        // the ClientHellos of the two clusters reached the backend untouched; v2 is no subset: closed, NR
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(received).hasSize(2));
        assertThat(received.get(0)).contains(names.get(0));
        assertThat(received.get(1)).contains(names.get(1));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(metrics()).contains(
                "meshgate_tcp_connections_refused_total{listener=\"gateway-tcp/15443\",response_flags=\"NR\"} 1"));
    }

    // --- helpers

    private String tcpExchange(String line) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), tcpPort)) {
            socket.setSoTimeout(10_000);
            return exchange(socket, line);
        }
    }

    /**
     * One port shared by a PASSTHROUGH server for *.example.com (to the legacy backend on {@code legacyPort}) and an
     * HTTPS server for shop.example.com (credential shop-cert) that answers 200 "terminated at the gateway".
     */
    private static String sharedTlsPort(int legacyPort) {
        return """
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: legacy, namespace: default}
                spec:
                  hosts: [legacy.example.com]
                  location: MESH_EXTERNAL
                  resolution: STATIC
                  ports: [{name: tls, number: 443, protocol: TLS}]
                  endpoints: [{address: 127.0.0.1, ports: {tls: %d}}]
                ---
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: ingress, namespace: istio-system}
                spec:
                  selector: {istio: ingressgateway}
                  servers:
                    - port: {number: 443, name: tls-legacy, protocol: TLS}
                      hosts: ["*.example.com"]
                      tls: {mode: PASSTHROUGH}
                    - port: {number: 443, name: https, protocol: HTTPS}
                      hosts: ["shop.example.com"]
                      tls: {mode: SIMPLE, credentialName: shop-cert}
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: shop, namespace: default}
                spec:
                  hosts: [shop.example.com]
                  gateways: [istio-system/ingress]
                  http: [{directResponse: {status: 200, body: {string: terminated at the gateway}}}]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: legacy, namespace: default}
                spec:
                  hosts: ["*.example.com"]
                  gateways: [istio-system/ingress]
                  tls:
                    - match: [{sniHosts: ["*.example.com"]}]
                      route: [{destination: {host: legacy.example.com, port: {number: 443}}}]
                """.formatted(legacyPort);
    }

    private static String passthrough(int a, int b) {
        return """
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: a, namespace: default}
                spec:
                  hosts: [a.example.com]
                  location: MESH_EXTERNAL
                  resolution: STATIC
                  ports: [{name: tls, number: 443, protocol: TLS}]
                  endpoints: [{address: 127.0.0.1, ports: {tls: %d}}]
                ---
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: b, namespace: default}
                spec:
                  hosts: [b.example.com]
                  location: MESH_EXTERNAL
                  resolution: STATIC
                  ports: [{name: tls, number: 443, protocol: TLS}]
                  endpoints: [{address: 127.0.0.1, ports: {tls: %d}}]
                ---
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: ingress, namespace: istio-system}
                spec:
                  selector: {istio: ingressgateway}
                  servers:
                    - port: {number: 443, name: tls, protocol: TLS}
                      hosts: ["*.example.com"]
                      tls: {mode: PASSTHROUGH}
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: secure, namespace: default}
                spec:
                  hosts: ["*.example.com"]
                  gateways: [istio-system/ingress]
                  tls:
                    - match: [{sniHosts: [a.example.com], port: 443}]
                      route: [{destination: {host: a.example.com, port: {number: 443}}}]
                    - match: [{sniHosts: [b.example.com]}]
                      route: [{destination: {host: b.example.com, port: {number: 443}}}]
                """.formatted(a, b);
    }

    /** The gateway's view of {@code yaml}, which must be valid, through the control plane's own translation. */
    private static ProxyView view(String version, String yaml) {
        ProxyView view = MeshYaml.view(yaml, GATEWAY, MeshSettings.DEFAULT);
        assertThat(view.tcpListeners()).isNotEmpty();
        return view;
    }

    private void start(ProxyView view, String... properties) throws Exception {
        controlPlane = new TestControlPlane(0, view);
        List<String> args = new ArrayList<>(List.of(
                "--meshgate.proxy.name=ingress", "--meshgate.proxy.namespace=istio-system",
                "--meshgate.proxy.discovery-address=127.0.0.1:" + controlPlane.port(),
                "--meshgate.proxy.admin-port=0", "--meshgate.gateway.port-map.80=0"));
        args.addAll(List.of(properties));
        gateway = new SpringApplicationBuilder(GatewayApplication.class).run(args.toArray(String[]::new));
        assertThat(controlPlane.answerTo(view.version())).isInstanceOf(Ack.class);
    }

    private String metrics() {
        return gateway.getBean(IstioMetrics.class).scrape();
    }

    private static String exchange(Socket socket, String line) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8)).readLine();
    }

    /** A plain TCP backend answering each line with {@code name:line}; its port. */
    private int echo(String name) throws IOException {
        ServerSocket server = new ServerSocket(FreePorts.next(), 50, InetAddress.getLoopbackAddress());
        serve(server, name);
        return server.getLocalPort();
    }

    private record TlsBackend(int port, X509Certificate certificate) {
    }

    /**
     * A server credential for {@code dnsName} issued by {@link #CA}, written as {@code root/name/tls.key} and
     * {@code tls.crt} where a Gateway's {@code credentialName: name} finds it; its leaf certificate.
     */
    private static X509Certificate credential(Path root, String name, String dnsName) throws Exception {
        KeyPair keys = CertificateRequest.generateKeyPair();
        List<X509Certificate> chain = CA.issueServer(keys.getPublic(), ID, List.of(dnsName), List.of(), NOW,
                Duration.ofHours(1));
        Path credential = Files.createDirectories(root.resolve(name));
        Files.writeString(credential.resolve("tls.key"), Pem.encodePrivateKey(keys.getPrivate()));
        Files.writeString(credential.resolve("tls.crt"), Pem.encodeCertificates(chain));
        return chain.get(0);
    }

    /** A TLS backend with its own certificate for {@code dnsName} (issued by {@link #CA}), answering like echo. */
    private TlsBackend tlsBackend(String name, String dnsName) throws Exception {
        KeyPair keys = CertificateRequest.generateKeyPair();
        List<X509Certificate> chain = CA.issueServer(keys.getPublic(), ID, List.of(dnsName), List.of(), NOW,
                Duration.ofHours(1));
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("server", keys.getPrivate(), new char[0], chain.toArray(X509Certificate[]::new));
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(store, new char[0]);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers.getKeyManagers(), null, null);
        SSLServerSocket server = (SSLServerSocket) context.getServerSocketFactory().createServerSocket(
                FreePorts.next(), 50, InetAddress.getLoopbackAddress());
        serve(server, name);
        return new TlsBackend(server.getLocalPort(), chain.get(0));
    }

    private void serve(ServerSocket server, String name) {
        backends.add(server);
        Thread acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    Thread handler = new Thread(() -> answer(socket, name), "backend-" + name + "-connection");
                    handler.setDaemon(true);
                    handler.start();
                } catch (IOException e) {
                    return;
                }
            }
        }, "backend-" + name);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private static void answer(Socket socket, String name) {
        try (socket) {
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.UTF_8));
            OutputStream out = socket.getOutputStream();
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                out.write((name + ":" + line + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    /** A TLS client trusting {@link #CA} only and checking the server's name, as an HTTPS client does. */
    private SSLSocket tlsClient(String sni) throws Exception {
        return tlsClient(sni, null);
    }

    /** A TLS client socket to the gateway's TLS port, from {@code localAddress} when not null. */
    private SSLSocket tlsClient(String sni, InetAddress localAddress) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("ca", CA.certificate());
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trustManagers.getTrustManagers(), null);
        SSLSocket socket = (SSLSocket) (localAddress == null
                ? context.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), tlsPort)
                : context.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), tlsPort, localAddress,
                        0));
        socket.setSoTimeout(10_000);
        SSLParameters parameters = socket.getSSLParameters();
        // cluster names (outbound_.9443_._.host) are no LDH host names, which SNIHostName refuses; Envoy sends them
        parameters.setServerNames(sni == null ? List.of() : List.of(sni.startsWith("outbound_.")
                ? new SNIServerName(StandardConstants.SNI_HOST_NAME, sni.getBytes(StandardCharsets.US_ASCII)) {
                } : new SNIHostName(sni)));
        if (sni != null && !sni.startsWith("outbound_.")) {
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
        }
        socket.setSSLParameters(parameters);
        return socket;
    }
}
