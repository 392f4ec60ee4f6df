package dev.meshgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.meshgate.it.harness.DumpLogsOnFailure;
import dev.meshgate.it.harness.Mesh;
import dev.meshgate.it.harness.Readiness;
import dev.meshgate.it.harness.Reply;
import dev.meshgate.it.harness.SidecarClient;
import dev.meshgate.it.harness.WebBackend;

/**
 * {@code corsPolicy}: the client's sidecar answers preflights from allowed origins itself (the app behind never
 * sees them), forwards the others, and adds CORS headers only for allowed origins. The app is a sniffer, whose log
 * shows every request that reached it.
 */
@ExtendWith(DumpLogsOnFailure.class)
class CorsIT {

    private static final String CORS = """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata:
              name: api
              namespace: default
            spec:
              hosts:
              - api
              http:
              - corsPolicy:
                  allowOrigins:
                  - exact: https://shop.example.com
                  - regex: "https://[a-z]+\\\\.staging\\\\.example\\\\.com"
                  allowMethods:
                  - GET
                  - PUT
                  allowHeaders:
                  - x-api-key
                  exposeHeaders:
                  - x-request-id
                  maxAge: 24h
                  allowCredentials: true
                route:
                - destination:
                    host: api
            """;

    @AutoClose
    private static Mesh mesh;

    @BeforeAll
    static void startMesh() {
        mesh = Mesh.builder(CorsIT.class)
                .sniffer("api", 0)
                .clientSidecar("client")
                .config("api-cors.yaml", CORS)
                .start();
    }

    private static Reply preflight(String path, String origin) {
        return mesh.sidecar("client").client().send("OPTIONS", "http://api" + path, Map.of("Origin", origin,
                "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "x-api-key"));
    }

    private static List<String> sniffed(String requestLine) {
        WebBackend api = mesh.backend("api-v1");
        return api.logLines().stream().filter(line -> line.startsWith(requestLine + " ")).toList();
    }

    @Test
    void aPreflightFromAnAllowedOriginIsAnsweredByTheProxy() {
        Reply reply = preflight("/allowed", "https://shop.example.com");

        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        assertThat(reply.header("access-control-allow-origin")).isEqualTo("https://shop.example.com");
        assertThat(reply.header("access-control-allow-methods")).isEqualTo("GET,PUT");
        assertThat(reply.header("access-control-allow-headers")).isEqualTo("x-api-key");
        assertThat(reply.header("access-control-max-age")).isEqualTo("86400");
        assertThat(reply.header("access-control-allow-credentials")).isEqualTo("true");
        // A later request that does reach the app shows the preflight never did.
        mesh.sidecar("client").client().get("http://api/after-allowed");
        Readiness.waitUpTo(Duration.ofSeconds(10)).until(() -> !sniffed("GET /after-allowed").isEmpty());
        assertThat(sniffed("OPTIONS /allowed")).isEmpty();
    }

    @Test
    void aPreflightMatchingTheOriginRegexIsAnsweredByTheProxy() {
        Reply reply = preflight("/regex", "https://eu.staging.example.com");

        assertThat(reply.header("access-control-allow-origin")).isEqualTo("https://eu.staging.example.com");
        assertThat(reply.body()).isEmpty();
    }

    @Test
    void aPreflightFromAnotherOriginIsForwardedAndGetsNoCorsHeaders() {
        Reply reply = preflight("/other", "https://evil.example.net");

        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        assertThat(reply.body()).as("the sniffer's JSON").contains("\"method\":\"OPTIONS\"");
        assertThat(reply.headers().map().keySet()).noneMatch(name -> name.startsWith("access-control-"));
        assertThat(sniffed("OPTIONS /other")).hasSize(1);
    }

    @Test
    void aRequestFromAnAllowedOriginGetsCorsHeadersAndOneFromAnotherOriginNone() {
        SidecarClient client = mesh.sidecar("client").client();

        Reply allowed = client.get("http://api/data", Map.of("Origin", "https://shop.example.com"));
        Reply other = client.get("http://api/data", Map.of("Origin", "https://shop.example.com.evil.net"));

        assertThat(allowed.status()).isEqualTo(200);
        assertThat(allowed.header("access-control-allow-origin")).isEqualTo("https://shop.example.com");
        assertThat(allowed.header("access-control-expose-headers")).isEqualTo("x-request-id");
        assertThat(allowed.header("access-control-allow-credentials")).isEqualTo("true");
        assertThat(other.status()).isEqualTo(200);
        assertThat(other.headers().map().keySet()).noneMatch(name -> name.startsWith("access-control-"));
    }
}
