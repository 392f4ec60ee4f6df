package dev.meshgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.meshgate.it.harness.DumpLogsOnFailure;
import dev.meshgate.it.harness.Mesh;
import dev.meshgate.it.harness.MeshProxy;
import dev.meshgate.it.harness.Readiness;
import dev.meshgate.it.harness.Reply;
import dev.meshgate.it.harness.SidecarClient;

/**
 * Istio's metrics across a real client sidecar and server sidecar: each learns the other through the peer
 * metadata exchange, and each admin port's {@code /stats/prometheus} shows its reporter's labels.
 */
@ExtendWith(DumpLogsOnFailure.class)
class IstioMetricsIT {

    private static final int REQUESTS = 7;
    /**
     * How long a proxy's counters may trail the answers: a proxy records a request once its response is written, on
     * the connection's event loop, so a client can hold the last answer before it is counted.
     */
    private static final Duration COUNTED = Duration.ofSeconds(10);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @AutoClose
    private static Mesh mesh;

    @BeforeAll
    static void startMesh() {
        mesh = Mesh.builder(IstioMetricsIT.class).workload("web", "v1").clientSidecar("client").start();
        SidecarClient client = mesh.sidecar("client").client();
        for (int i = 0; i < REQUESTS; i++) {
            Reply reply = client.get("http://web/metrics-it");
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.header("x-envoy-peer-metadata")).isNull();
            assertThat(reply.header("x-envoy-peer-metadata-id")).isNull();
        }
    }

    private static String get(int port, String path) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path).isEqualTo(200);
        return response.body();
    }

    /** The series both sidecars report for the client's requests to web v1, as Istio labels it. */
    private static String requestsTotal(String reporter, String connectionSecurityPolicy) {
        return "istio_requests_total{reporter=\"" + reporter + "\",source_workload=\"client\","
                + "source_workload_namespace=\"default\",source_principal=\"unknown\",source_app=\"client\","
                + "source_version=\"unknown\",source_canonical_service=\"client\","
                + "source_canonical_revision=\"latest\","
                + "source_cluster=\"Kubernetes\",destination_workload=\"web-v1\","
                + "destination_workload_namespace=\"default\",destination_principal=\"unknown\","
                + "destination_app=\"web\",destination_version=\"v1\","
                + "destination_service=\"web.default.svc.cluster.local\",destination_service_name=\"web\","
                + "destination_service_namespace=\"default\",destination_canonical_service=\"web\","
                + "destination_canonical_revision=\"v1\",destination_cluster=\"Kubernetes\","
                + "request_protocol=\"http\","
                + "response_code=\"200\",grpc_response_status=\"\",response_flags=\"-\","
                + "connection_security_policy=\"" + connectionSecurityPolicy + "\"} " + REQUESTS;
    }

    private static String series(String scrape, String prefix, Map<String, String> labels) {
        return Arrays.stream(scrape.split("\n")).filter(l -> l.startsWith(prefix))
                .filter(l -> labels.entrySet().stream().allMatch(e -> l.contains(e.getKey() + "=\"" + e.getValue() + "\"")))
                .findFirst().orElseThrow(() -> new AssertionError("no " + prefix + " " + labels + " in:\n" + scrape));
    }

    @Test
    void theClientSidecarReportsSourceWithTheServerAsDestination() throws Exception {
        MeshProxy client = mesh.sidecar("client");
        Readiness.waitUpTo(COUNTED).untilAsserted(() -> {
            String scrape = get(client.adminPort(), "/stats/prometheus");
            String line = series(scrape, "istio_requests_total{",
                    Map.of("reporter", "source", "response_code", "200"));
            assertThat(line).isEqualTo(requestsTotal("source", "unknown"));
            assertThat(series(scrape, "istio_request_duration_milliseconds_count{", Map.of("reporter", "source")))
                    .endsWith(" " + REQUESTS);
            assertThat(get(client.adminPort(), "/actuator/prometheus"))
                    .contains(line.substring(0, line.lastIndexOf(' ')));
        });
    }

    @Test
    void theServerSidecarReportsDestinationWithTheClientAsSource() throws Exception {
        MeshProxy server = mesh.sidecar("web-v1");
        Readiness.waitUpTo(COUNTED).untilAsserted(() -> {
            String scrape = get(server.adminPort(), "/stats/prometheus");
            String line = series(scrape, "istio_requests_total{", Map.of("reporter", "destination",
                    "response_code", "200", "source_workload", "client"));
            assertThat(line).isEqualTo(requestsTotal("destination", "none"));
        });
    }

    @Test
    void metricsAreNotServedOnADataPathListener() throws Exception {
        int outbound = mesh.sidecar("client").outboundPort();
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + outbound + "/stats/prometheus")).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.body()).doesNotContain("istio_requests_total");
    }
}
