package dev.meshgate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.meshgate.it.harness.DumpLogsOnFailure;
import dev.meshgate.it.harness.Mesh;
import dev.meshgate.it.harness.Reply;
import dev.meshgate.it.harness.Repository;
import dev.meshgate.it.harness.Zipkin;
import tools.jackson.databind.JsonNode;

/**
 * Traces in a real Zipkin: the MeshConfig's zipkin extension provider at 100 % sampling, and a request through the
 * ingress gateway → sidecar of {@code front} → {@code front} (a relay that propagates the trace headers, as Istio
 * asks of apps) → its sidecar → sidecar of {@code web} → {@code web}, read back from Zipkin's API as one trace.
 */
@ExtendWith(DumpLogsOnFailure.class)
class TracingIT {

    private static final String HOST = "front.example.com";

    /** The gateway serves {@link #HOST} and routes it to {@code front}. */
    private static final String INGRESS = """
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata:
              name: front-gateway
              namespace: default
            spec:
              selector:
                istio: ingressgateway
              servers:
              - port:
                  number: 80
                  name: http
                  protocol: HTTP
                hosts:
                - front.example.com
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata:
              name: front-ingress
              namespace: default
            spec:
              hosts:
              - front.example.com
              gateways:
              - front-gateway
              http:
              - route:
                - destination:
                    host: front
            """;

    private static Zipkin zipkin;
    private static Mesh mesh;

    @BeforeAll
    static void start() throws IOException {
        Path logs = Repository.logDirectory(TracingIT.class);
        Path meshConfigDirectory = Files.createTempDirectory("tracing-it-mesh");
        Path meshFile = meshConfigDirectory.resolve("istio.yaml");
        // Zipkin starts beside the mesh: its port goes into the MeshConfig, and the proxies' reporters retry.
        zipkin = Zipkin.launch(logs.resolveSibling(TracingIT.class.getSimpleName() + "-zipkin"));
        Files.writeString(meshFile, MeshConfigIT.configMap("""
                extensionProviders:
                - name: zipkin
                  zipkin:
                    service: 127.0.0.1
                    port: %d
                defaultProviders:
                  tracing:
                  - zipkin
                defaultConfig:
                  tracing:
                    sampling: 100
                """.formatted(zipkin.port())));
        mesh = Mesh.builder(TracingIT.class)
                .relay("front", "http://web")
                .workload("web", "v1")
                .ingressGateway()
                .controlPlaneProperty("meshgate.control-plane.mesh-config", meshFile.toString())
                .config("ingress.yaml", INGRESS)
                .start();
        zipkin.awaitHealthy();
    }

    @AfterAll
    static void stop() {
        try {
            if (mesh != null) {
                mesh.close();
            }
        } finally {
            if (zipkin != null) {
                zipkin.close();
            }
        }
    }

    @Test
    void aRequestThroughGatewayTwoSidecarsAndAnAppGivesOneTraceParentedHopByHop() {
        String requestId = UUID.randomUUID().toString();
        Reply reply = mesh.gateway().client().get(HOST, "/hello", Map.of("x-request-id", requestId));
        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        assertThat(reply.body()).as("front relayed to web: %s", reply).startsWith("relay: Version v1:");

        List<JsonNode> spans = awaitTrace(requestId, 4);
        spans.forEach(span -> System.out.printf("TracingIT span %s %s %s id=%s parent=%s%n",
                span.path("kind").asString(), span.path("localEndpoint").path("serviceName").asString(),
                span.path("name").asString(), span.path("id").asString(), span.path("parentId").asString()));
        String traceId = spans.get(0).path("traceId").asString();
        assertThat(spans).as("one trace: %s", spans).allSatisfy(span -> {
            assertThat(span.path("traceId").asString()).isEqualTo(traceId);
            JsonNode tags = span.path("tags");
            assertThat(tags.path("component").asString()).isEqualTo("proxy");
            assertThat(tags.path("http.method").asString()).isEqualTo("GET");
            assertThat(tags.path("http.status_code").asString()).isEqualTo("200");
            assertThat(tags.path("guid:x-request-id").asString()).isEqualTo(requestId);
            assertThat(tags.path("istio.namespace").asString()).isEqualTo("default");
            assertThat(tags.path("response_flags").asString()).isEqualTo("-");
            assertThat(tags.has("upstream_cluster")).as("upstream_cluster in %s", tags).isTrue();
        });

        JsonNode gateway = only(spans, "CLIENT", "ingress");
        JsonNode frontServer = only(spans, "SERVER", "front");
        JsonNode frontClient = only(spans, "CLIENT", "front");
        JsonNode webServer = only(spans, "SERVER", "web");
        assertThat(gateway.has("parentId")).as("the gateway starts the trace: %s", gateway).isFalse();
        assertThat(frontServer.path("parentId").asString()).as("gateway → front's inbound")
                .isEqualTo(gateway.path("id").asString());
        assertThat(frontClient.path("parentId").asString()).as("front's inbound → front's outbound, through the app")
                .isEqualTo(frontServer.path("id").asString());
        assertThat(webServer.path("parentId").asString()).as("front's outbound → web's inbound")
                .isEqualTo(frontClient.path("id").asString());

        assertThat(gateway.path("tags").path("upstream_cluster").asString()).contains("front");
        assertThat(frontClient.path("tags").path("upstream_cluster").asString()).contains("web");
        assertThat(frontServer.path("tags").path("upstream_cluster").asString()).startsWith("inbound|");
        assertThat(webServer.path("tags").path("upstream_cluster").asString()).startsWith("inbound|");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "traceparent | 00-not-a-trace-id-zzzzzzzzzzzzzzzzz-0123456789abcdef-01",
            "traceparent | 01-463ac35c9f6413ad48485a3953bb6124",
            "b3          | zzzz-not-b3",
            "x-b3-traceid | 463ac35c9f6413ad48485a3953bb612g"})
    void aMalformedTraceContextStartsANewTraceAndTheRequestSucceeds(String header, String malformed) {
        String requestId = UUID.randomUUID().toString();
        Reply reply = mesh.gateway().client().get(HOST, "/bad-context",
                Map.of("x-request-id", requestId, header, malformed));
        assertThat(reply.status()).as("%s", reply).isEqualTo(200);

        List<JsonNode> spans = awaitTrace(requestId, 4);
        JsonNode gateway = only(spans, "CLIENT", "ingress");
        assertThat(gateway.has("parentId")).as("a new trace, not a child of the malformed context: %s", gateway)
                .isFalse();
        assertThat(gateway.path("traceId").asString()).matches("[0-9a-f]{32}");
        assertThat(gateway.path("traceId").asString()).doesNotContain("463ac35c9f6413ad48485a3953bb612");
        assertThat(spans).extracting(span -> span.path("traceId").asString()).containsOnly(
                gateway.path("traceId").asString());
    }

    /** Polls Zipkin until the trace tagged with {@code requestId} holds {@code count} spans, and returns them. */
    private static List<JsonNode> awaitTrace(String requestId, int count) {
        List<JsonNode> spans = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            JsonNode traces = zipkin.tracesTagged("guid:x-request-id", requestId);
            assertThat(traces.size()).as("traces tagged x-request-id %s: %s", requestId, traces).isEqualTo(1);
            JsonNode trace = zipkin.trace(traces.get(0).get(0).path("traceId").asString());
            assertThat(trace.size()).as("spans of the trace: %s", trace).isEqualTo(count);
            spans.clear();
            trace.forEach(spans::add);
        });
        return spans;
    }

    /** The one span of {@code kind} whose local service starts with {@code service}. */
    private static JsonNode only(List<JsonNode> spans, String kind, String service) {
        List<JsonNode> matching = spans.stream().filter(span -> span.path("kind").asString().equals(kind)
                && span.path("localEndpoint").path("serviceName").asString().startsWith(service)).toList();
        assertThat(matching).as("%s spans of %s in %s", kind, service, spans).hasSize(1);
        return matching.get(0);
    }
}
