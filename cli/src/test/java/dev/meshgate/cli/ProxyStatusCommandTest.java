package dev.meshgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import com.sun.net.httpserver.HttpServer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.meshgate.testing.FreePorts;

class ProxyStatusCommandTest {

    /** The shape docs/protocol.md gives for GET /debug/proxies. */
    private static final String PROXIES = """
            {"snapshotVersion":"5f3a9c0d12ab77e1","proxies":[
              {"id":"web-v1-1.default","name":"web-v1-1","namespace":"default","kind":"SIDECAR",
               "labels":{"app":"web","version":"v1"},"connected":true,"sentVersion":"a1b2c3d4e5f60718",
               "ackedVersion":"a1b2c3d4e5f60718","snapshotVersion":"5f3a9c0d12ab77e1","status":"SYNCED","lastNack":null},
              {"id":"ingressgateway.istio-system","name":"ingressgateway","namespace":"istio-system","kind":"GATEWAY",
               "labels":{"istio":"ingressgateway"},"connected":true,"sentVersion":"99",
               "ackedVersion":"77","snapshotVersion":"4","status":"NACKED",
               "lastNack":{"version":"99","reason":"route web.0: unknown cluster","at":"2026-11-23T03:00:00Z"}},
              {"id":"client.default","name":"client","namespace":"default","kind":"SIDECAR","labels":{},
               "connected":false,"sentVersion":"a1","ackedVersion":null,"snapshotVersion":null,"status":"STALE",
               "lastNack":null}
            ]}
            """;

    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void printsOneRowPerProxyWithStatusAckedVersionAndLastNack() throws IOException {
        serve(200, PROXIES);

        Run run = Run.of("proxy-status", "--control-plane", "127.0.0.1:" + server.getAddress().getPort());

        assertThat(run.exitCode()).isZero();
        assertThat(run.err()).isEmpty();
        assertThat(run.outLines()).containsExactly(
                "NAME             NAMESPACE      KIND      CONNECTED   STATUS   ACKED VERSION   LAST NACK",
                "client           default        SIDECAR   no          STALE    -               -",
                "web-v1-1         default        SIDECAR   yes         SYNCED   a1b2c3d4e5f6    -",
                "ingressgateway   istio-system   GATEWAY   yes         NACKED   77              route web.0: unknown cluster",
                "3 proxies; snapshot 5f3a9c0d12ab");
    }

    @Test
    void unreachableControlPlaneIsOneLineAndExitOne() throws IOException {
        int closedPort = FreePorts.next();

        Run run = Run.of("proxy-status", "--control-plane=127.0.0.1:" + closedPort);

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.errLines()).singleElement().asString()
                .startsWith("meshctl proxy-status: cannot reach the control plane at 127.0.0.1:" + closedPort);
    }

    @Test
    void errorStatusAndBadJsonAreReported() throws IOException {
        serve(500, "boom");
        Run failed = Run.of("proxy-status", "--control-plane", "127.0.0.1:" + server.getAddress().getPort());
        assertThat(failed.exitCode()).isEqualTo(1);
        assertThat(failed.errLines()).singleElement().asString()
                .endsWith("answered 500 for /debug/proxies");
        server.stop(0);

        serve(200, "{not json");
        Run garbled = Run.of("proxy-status", "--control-plane", "127.0.0.1:" + server.getAddress().getPort());
        assertThat(garbled.exitCode()).isEqualTo(1);
        assertThat(garbled.errLines()).singleElement().asString().contains("invalid JSON");
    }

    private void serve(int status, String body) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/debug/proxies", exchange -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("content-type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
    }
}
