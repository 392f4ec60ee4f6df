package dev.meshgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.meshgate.it.harness.DumpLogsOnFailure;
import dev.meshgate.it.harness.Mesh;
import dev.meshgate.it.harness.MutualTlsMesh;
import dev.meshgate.it.harness.Readiness;
import dev.meshgate.it.harness.ServiceEntries;
import dev.meshgate.it.harness.Sidecar;
import dev.meshgate.it.harness.WebBackend;
import dev.meshgate.testing.FreePorts;

/**
 * Mutual TLS between real sidecar processes holding certificates from the mesh CA ({@code meshctl workload
 * credential}): the web workload's WorkloadEntry carries {@code security.istio.io/tlsMode: istio}, so client sidecars
 * call it over ISTIO_MUTUAL (auto mTLS). Under a STRICT PeerAuthentication the server's metrics show the handshake
 * (the client's SPIFFE id as {@code source_principal}, {@code connection_security_policy="mutual_tls"}) and a
 * plaintext client straight to its inbound port is refused; PERMISSIVE accepts both; under DISABLE the client's
 * auto mTLS sends plaintext (the control plane drops the endpoint's tlsMode); an AuthorizationPolicy on
 * {@code principals} tells two callers apart by their certificates.
 */
@ExtendWith(DumpLogsOnFailure.class)
class MutualTlsIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @AutoClose
    private static MutualTlsMesh ca;
    private static Mesh mesh;
    private static WebBackend backend;
    private static Sidecar server;
    private static Sidecar client;
    private static Sidecar intruder;
    private static int inbound;

    @BeforeAll
    static void startMesh() {
        ca = MutualTlsMesh.start(MutualTlsIT.class);
        mesh = ca.mesh();
        Path logs = ca.logs();
        inbound = FreePorts.next();
        mesh.config().write("web.yaml", ServiceEntries.selecting("web", "web") + """
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: web-v1, namespace: default}
                spec:
                  address: 127.0.0.1
                  ports: {http: %d}
                  serviceAccount: web
                  labels: {app: web, version: v1, security.istio.io/tlsMode: istio}
                """.formatted(inbound));
        backend = WebBackend.start("app-web-v1", "v1", logs);
        backend.awaitReady();
        server = Sidecar.startServer("web-v1", Map.of("app", "web", "version", "v1"), inbound, backend.port(), 0,
                mesh.controlPlane(), logs, ca.credentials("web-v1", "web"));
        client = Sidecar.startClient("client", Map.of("app", "client"), mesh.controlPlane(), logs,
                ca.credentials("client", "client"));
        intruder = Sidecar.startClient("intruder", Map.of("app", "intruder"), mesh.controlPlane(), logs,
                ca.credentials("intruder", "intruder"));
        for (Sidecar sidecar : List.of(server, client, intruder)) {
            sidecar.awaitReady();
        }
    }

    @AfterAll
    static void stopProcesses() {
        for (AutoCloseable process : new AutoCloseable[] {intruder, client, server, backend}) {
            try {
                if (process != null) {
                    process.close();
                }
            } catch (Exception e) {
                // best effort
            }
        }
    }

    @Test
    void strictAcceptsTheClientSidecarOverMutualTlsAndRefusesPlaintext() throws Exception {
        apply("""
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata: {name: default, namespace: default}
                spec: {mtls: {mode: STRICT}}
                """, "");

        assertThat(client.client().get("http://web/strict").status()).isEqualTo(200);
        Readiness.waitUpTo(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(get(server.adminPort(),
                "/actuator/prometheus").lines().filter(line -> line.startsWith("istio_requests_total{")
                        && line.contains("reporter=\"destination\""))).anySatisfy(line -> assertThat(line)
                                .contains("connection_security_policy=\"mutual_tls\"")
                                .contains("source_principal=\"spiffe://cluster.local/ns/default/sa/client\"")
                                .contains("destination_principal=\"spiffe://cluster.local/ns/default/sa/web\"")));
        assertThat(plaintextToInbound()).as("plaintext straight to the STRICT inbound port").isEmpty();
    }

    @Test
    void permissiveAcceptsPlaintextAndMutualTls() throws Exception {
        apply("""
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata: {name: default, namespace: default}
                spec: {mtls: {mode: PERMISSIVE}}
                """, "");

        assertThat(client.client().get("http://web/permissive").status()).isEqualTo(200);
        assertThat(plaintextToInbound()).startsWith("HTTP/1.1 200");
    }

    @Test
    void autoMutualTlsSendsPlaintextToAServerWhosePeerAuthenticationIsDisable() throws Exception {
        apply("""
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata: {name: default, namespace: default}
                spec: {mtls: {mode: DISABLE}}
                """, "");

        // the endpoint still has a sidecar (tlsMode: istio), but pilot's endpoint builder sees DISABLE: mTLS would be
        // refused by the server (503), plaintext is served
        assertThat(client.client().get("http://web/disabled").status()).isEqualTo(200);
    }

    @Test
    void anAuthorizationPolicyOnPrincipalsAllowsTheRightCallerAndDeniesAnother() throws Exception {
        apply("""
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata: {name: default, namespace: default}
                spec: {mtls: {mode: STRICT}}
                """, """
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: web-from-client, namespace: default}
                spec:
                  selector: {matchLabels: {app: web}}
                  rules:
                  - from:
                    - source: {principals: [cluster.local/ns/default/sa/client]}
                """);

        assertThat(client.client().get("http://web/allowed").status()).isEqualTo(200);
        var denied = intruder.client().get("http://web/denied");
        assertThat(denied.status()).isEqualTo(403);
        assertThat(denied.body()).isEqualTo("RBAC: access denied");
    }

    /**
     * Writes the PeerAuthentication and the AuthorizationPolicy (empty: none) as one file, so that they arrive in one
     * snapshot, and waits until the three sidecars have it.
     */
    private static void apply(String peerAuthentication, String authorization) {
        String before = mesh.status().snapshotVersion();
        mesh.config().write("security.yaml", authorization.isEmpty() ? peerAuthentication
                : peerAuthentication + "---\n" + authorization);
        mesh.controlPlane().awaitSynced(List.of("web-v1.default", "client.default", "intruder.default"), before,
                Duration.ofSeconds(60));
    }

    /** What a plaintext HTTP/1.1 client reads from the server sidecar's inbound port ("" when refused). */
    private static String plaintextToInbound() throws IOException {
        try (Socket socket = new Socket("127.0.0.1", inbound)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET /plain HTTP/1.1\r\nHost: web\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            try {
                return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            } catch (java.net.SocketException reset) {
                return "";
            }
        }
    }

    private static String get(int port, String path) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + path)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        return response.body();
    }
}
