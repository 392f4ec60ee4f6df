package dev.meshgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicReference;

import com.sun.net.httpserver.HttpServer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkloadCredentialCommandTest {

    /** The shape docs/protocol.md gives for POST /admin/workload-credentials. */
    private static final String CREDENTIAL = """
            {"identity":"spiffe://cluster.local/ns/shop/sa/web","token":"s3cret.token",
             "expiresAt":"2026-12-04T23:00:00Z","rootCert":"-----BEGIN CERTIFICATE-----\\nAAAA\\n-----END CERTIFICATE-----\\n",
             "discoveryAddress":"127.0.0.1:15012","trustDomain":"cluster.local"}
            """;

    @TempDir
    Path dir;

    private HttpServer server;
    private final AtomicReference<String> requestBody = new AtomicReference<>();

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void writesTheCredentialsDirectoryWithAnOwnerOnlyTokenThatIsNeverPrinted() throws IOException {
        serve(200, CREDENTIAL);
        Path out = dir.resolve("web");

        Run run = Run.of("workload", "credential", "web-1.shop", "--service-account", "web", "-o", out.toString(),
                "--control-plane", "127.0.0.1:" + server.getAddress().getPort());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(requestBody.get()).contains("\"name\":\"web-1\"").contains("\"namespace\":\"shop\"")
                .contains("\"serviceAccount\":\"web\"");
        assertThat(Files.readString(out.resolve("token"))).isEqualTo("s3cret.token");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("token"))))
                .isEqualTo("rw-------");
        assertThat(Files.readString(out.resolve("identity")).trim()).isEqualTo("spiffe://cluster.local/ns/shop/sa/web");
        assertThat(Files.readString(out.resolve("discovery-address")).trim()).isEqualTo("127.0.0.1:15012");
        assertThat(Files.readString(out.resolve("root-cert.pem"))).startsWith("-----BEGIN CERTIFICATE-----");
        assertThat(run.out()).contains("--meshgate.proxy.credentials=" + out).doesNotContain("s3cret");
    }

    @Test
    void theControlPlanesRefusalIsOneLineWithItsReason() throws IOException {
        serve(403, "{\"error\":\"workload credentials are given to loopback clients only\"}");

        Run run = Run.of("workload", "credential", "web-1.shop", "-o", dir.toString(), "--control-plane",
                "127.0.0.1:" + server.getAddress().getPort());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.errLines()).singleElement().asString()
                .endsWith("answered 403 for /admin/workload-credentials: workload credentials are given to loopback "
                        + "clients only");
    }

    @Test
    void missingOutputDirectoryIsAUsageError() {
        Run run = Run.of("workload", "credential", "web-1.shop");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("expected NAME.NAMESPACE and -o DIR");
    }

    private void serve(int status, String body) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/admin/workload-credentials", exchange -> {
            requestBody.set(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
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
