package dev.meshgate.proxy.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;

import dev.meshgate.core.telemetry.Metrics.IstioMetric;
import dev.meshgate.core.telemetry.Metrics.TagOverride;
import dev.meshgate.core.telemetry.Telemetry.WorkloadMode;
import dev.meshgate.core.view.ClusterSpec;
import dev.meshgate.core.view.EndpointSpec;
import dev.meshgate.core.view.FaultSpec;
import dev.meshgate.core.view.HeaderOps;
import dev.meshgate.core.view.ListenerSpec;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.ProxyKind;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.view.RetrySpec;
import dev.meshgate.core.view.RouteSpec;
import dev.meshgate.core.view.RouteSpec.RouteAction;
import dev.meshgate.core.view.RouteSpec.WeightedCluster;
import dev.meshgate.core.view.TelemetrySpec;
import dev.meshgate.core.view.VirtualHostSpec;
import dev.meshgate.proxy.route.MeshRouteTable;
import dev.meshgate.proxy.testapp.Backend;
import dev.meshgate.proxy.testapp.TestListenerBinding;
import dev.meshgate.proxy.testapp.TestProxyApplication;
import dev.meshgate.testing.FreePorts;

/**
 * Istio's metrics as a real proxy records them: labels of both reporters, the peer learned from Istio-encoded
 * peer metadata (built here as an Istio proxy builds it), the headers stripped on both sides, response flags as
 * Istio labels them, and Telemetry overrides.
 */
@SpringBootTest(classes = {TestProxyApplication.class, IstioMetricsSocketTest.Identity.class},
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.address=127.0.0.1", "spring.main.banner-mode=off",
                "meshgate.proxy.telemetry.cluster-id=east", "meshgate.proxy.name=productpage-v1-1",
                "meshgate.proxy.discovery-address=127.0.0.1:9"})
class IstioMetricsSocketTest {

    @TestConfiguration
    static class Identity {
        @Bean
        ProxyIdentity proxyIdentity() {
            return new ProxyIdentity("productpage-v1-1", "bookinfo", ProxyKind.SIDECAR,
                    Map.of("app", "productpage", "version", "v1"), "bookinfo-productpage");
        }
    }

    private static final AtomicInteger versions = new AtomicInteger();
    private static final String HOST = "reviews.bookinfo.svc.cluster.local";
    private static Backend plain;
    private static Backend istioPeer;

    @LocalServerPort
    int port;

    @Autowired
    MeshRouteTable table;

    @Autowired
    TestListenerBinding binding;

    @Autowired
    IstioMetrics metrics;

    private HttpClient client;

    /** The metadata an Istio sidecar of reviews-v2 sends, as Istio encodes it. */
    static String istioReviewsMetadata() {
        Struct labels = Struct.newBuilder()
                .putFields("app", string("reviews"))
                .putFields("version", string("v2"))
                .putFields("service.istio.io/canonical-name", string("reviews"))
                .putFields("service.istio.io/canonical-revision", string("v2"))
                .putFields("security.istio.io/tlsMode", string("istio"))
                .build();
        Struct node = Struct.newBuilder()
                .putFields("NAME", string("reviews-v2-5b9c8c6c8-x2x4q"))
                .putFields("NAMESPACE", string("bookinfo"))
                .putFields("LABELS", Value.newBuilder().setStructValue(labels).build())
                .putFields("WORKLOAD_NAME", string("reviews-v2"))
                .putFields("OWNER", string("kubernetes://apis/apps/v1/namespaces/bookinfo/deployments/reviews-v2"))
                .putFields("CLUSTER_ID", string("west"))
                .putFields("MESH_ID", string("cluster.local"))
                .putFields("APP_CONTAINERS", string("reviews"))
                .putFields("INSTANCE_IPS", Value.newBuilder().setListValue(ListValue.newBuilder()
                        .addValues(string("10.0.0.7"))).build())
                .putFields("ISTIO_VERSION", string("1.24.0"))
                .build();
        return Base64.getEncoder().encodeToString(node.toByteArray());
    }

    private static Value string(String s) {
        return Value.newBuilder().setStringValue(s).build();
    }

    @BeforeAll
    static void startBackends() {
        plain = new Backend("plain");
        istioPeer = new Backend("reviews", Map.of(PeerMetadata.ID_HEADER,
                "sidecar~10.0.0.7~reviews-v2-5b9c8c6c8-x2x4q.bookinfo~bookinfo.svc.cluster.local",
                PeerMetadata.HEADER, istioReviewsMetadata()));
    }

    @AfterAll
    static void stopBackends() {
        plain.close();
        istioPeer.close();
    }

    @BeforeEach
    void setUp() {
        binding.bind(port, "outbound");
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", port)))
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    private void serve(String listener, @Nullable FaultSpec fault, @Nullable RetrySpec retries, long timeoutMillis,
            @Nullable TelemetrySpec telemetry, int... ports) throws Exception {
        RouteSpec route = new RouteSpec("bookinfo.reviews.0", null, List.of(),
                new RouteAction(List.of(new WeightedCluster("reviews", 100, null, null))), null, null, null,
                HeaderOps.NONE, HeaderOps.NONE, timeoutMillis, retries, fault, List.of(), null);
        EndpointSpec[] endpoints = Arrays.stream(ports).mapToObj(p -> new EndpointSpec("127.0.0.1", p, Map.of(), 1,
                null, null)).toArray(EndpointSpec[]::new);
        ListenerSpec.Direction direction = listener.equals("inbound") ? ListenerSpec.Direction.INBOUND
                : ListenerSpec.Direction.OUTBOUND;
        ListenerSpec spec = new ListenerSpec(listener, 0, direction, List.of(new VirtualHostSpec("reviews",
                List.of("reviews", "reviews:9080", HOST, HOST + ":9080"), List.of(route))));
        String version = "m" + versions.incrementAndGet();
        table.apply(new ProxyView(version, "snap-" + version, List.of(spec),
                List.of(new ClusterSpec("reviews", HOST, 9080, null, ClusterSpec.Discovery.STATIC,
                        List.of(endpoints))),
                ProxyView.OutboundTrafficPolicy.REGISTRY_ONLY, null, telemetry));
        binding.bind(port, listener);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return client.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The value of the one istio_requests_total series matching every given label, once it appears. */
    private long requests(Map<String, String> labels) {
        return await().atMost(Duration.ofSeconds(10)).until(() -> count(labels), c -> c > 0);
    }

    private long count(Map<String, String> labels) {
        long total = 0;
        for (String line : metrics.scrape().split("\n")) {
            if (!line.startsWith("istio_requests_total{")) {
                continue;
            }
            if (labels.entrySet().stream().allMatch(e -> line.contains(e.getKey() + "=\"" + e.getValue() + "\""))) {
                total += Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }

    /** The first series line of {@code prefix} with these labels, once it appears (the sink runs after the response). */
    private String line(String prefix, Map<String, String> labels) {
        await().atMost(Duration.ofSeconds(10)).until(() -> find(prefix, labels) != null);
        return find(prefix, labels);
    }

    private @Nullable String find(String prefix, Map<String, String> labels) {
        return Arrays.stream(metrics.scrape().split("\n")).filter(l -> l.startsWith(prefix))
                .filter(l -> labels.entrySet().stream().allMatch(e -> l.contains(e.getKey() + "=\"" + e.getValue() + "\"")))
                .findFirst().orElse(null);
    }

    @Test
    void sourceReporterLabelsTheDestinationFromTheIstioEncodedResponseMetadataAndStripsIt() throws Exception {
        serve("outbound", null, null, 0, null, istioPeer.port());

        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create("http://reviews:9080/r/1"))
                .header("x-test", "source"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue(PeerMetadata.HEADER)).isEmpty();
        assertThat(response.headers().firstValue(PeerMetadata.ID_HEADER)).isEmpty();
        Backend.Received received = istioPeer.received().stream()
                .filter(r -> "source".equals(r.headers().get("x-test"))).findFirst().orElseThrow();
        assertThat(received.headers().get(PeerMetadata.ID_HEADER))
                .isEqualTo("sidecar~127.0.0.1~productpage-v1-1.bookinfo~bookinfo.svc.cluster.local");
        WorkloadLabels sent = PeerMetadata.parse(received.headers().get(PeerMetadata.HEADER));
        assertThat(sent).isEqualTo(new WorkloadLabels("productpage-v1", "bookinfo", "productpage", "v1",
                "productpage", "v1", "east"));

        String line = line("istio_requests_total{", Map.of("reporter", "source",
                "destination_workload", "reviews-v2"));
        assertThat(line).startsWith("istio_requests_total{reporter=\"source\",source_workload=\"productpage-v1\","
                + "source_workload_namespace=\"bookinfo\",source_principal=\"unknown\",source_app=\"productpage\","
                + "source_version=\"v1\",source_canonical_service=\"productpage\",source_canonical_revision=\"v1\","
                + "source_cluster=\"east\",destination_workload=\"reviews-v2\","
                + "destination_workload_namespace=\"bookinfo\",destination_principal=\"unknown\","
                + "destination_app=\"reviews\",destination_version=\"v2\","
                + "destination_service=\"reviews.bookinfo.svc.cluster.local\",destination_service_name=\"reviews\","
                + "destination_service_namespace=\"bookinfo\",destination_canonical_service=\"reviews\","
                + "destination_canonical_revision=\"v2\",destination_cluster=\"west\",request_protocol=\"http\","
                + "response_code=\"200\",grpc_response_status=\"\",response_flags=\"-\","
                + "connection_security_policy=\"unknown\"} ");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                line("istio_request_duration_milliseconds_bucket{", Map.of("reporter", "source",
                        "destination_workload", "reviews-v2", "le", "+Inf")))
                .endsWith(" " + count(Map.of("reporter", "source", "destination_workload", "reviews-v2"))));
        assertThat(metrics.scrape()).contains("le=\"0.5\"", "le=\"3600000\"")
                .contains("# TYPE istio_request_bytes histogram", "# TYPE istio_response_bytes histogram");
    }

    @Test
    void destinationReporterLabelsTheSourceFromTheIstioEncodedRequestMetadataStripsItAndAnswersWithItsOwn()
            throws Exception {
        serve("inbound", null, null, 0, null, plain.port());

        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create("http://reviews:9080/in"))
                .header("x-test", "inbound")
                .header(PeerMetadata.ID_HEADER, "sidecar~10.0.0.7~reviews-v2-5b9c8c6c8-x2x4q.bookinfo~bookinfo.svc.cluster.local")
                .header(PeerMetadata.HEADER, istioReviewsMetadata()));

        assertThat(response.statusCode()).isEqualTo(200);
        Backend.Received received = plain.received().stream()
                .filter(r -> "inbound".equals(r.headers().get("x-test"))).findFirst().orElseThrow();
        assertThat(received.headers()).doesNotContainKeys(PeerMetadata.ID_HEADER, PeerMetadata.HEADER);
        assertThat(response.headers().firstValue(PeerMetadata.ID_HEADER)).hasValue(
                "sidecar~127.0.0.1~productpage-v1-1.bookinfo~bookinfo.svc.cluster.local");
        assertThat(PeerMetadata.parse(response.headers().firstValue(PeerMetadata.HEADER).orElseThrow()).workload())
                .isEqualTo("productpage-v1");

        String line = line("istio_requests_total{", Map.of("reporter", "destination",
                "source_workload", "reviews-v2"));
        assertThat(line).startsWith("istio_requests_total{reporter=\"destination\",source_workload=\"reviews-v2\","
                + "source_workload_namespace=\"bookinfo\",source_principal=\"unknown\",source_app=\"reviews\","
                + "source_version=\"v2\",source_canonical_service=\"reviews\",source_canonical_revision=\"v2\","
                + "source_cluster=\"west\",destination_workload=\"productpage-v1\","
                + "destination_workload_namespace=\"bookinfo\",destination_principal=\"unknown\","
                + "destination_app=\"productpage\",destination_version=\"v1\","
                + "destination_service=\"reviews.bookinfo.svc.cluster.local\",destination_service_name=\"reviews\","
                + "destination_service_namespace=\"bookinfo\",destination_canonical_service=\"productpage\","
                + "destination_canonical_revision=\"v1\",destination_cluster=\"east\",request_protocol=\"http\","
                + "response_code=\"200\",grpc_response_status=\"\",response_flags=\"-\","
                + "connection_security_policy=\"none\"} ");
    }

    @Test
    void aPeerWithoutOrWithGarbageMetadataIsUnknownAndTheRequestSucceeds() throws Exception {
        serve("inbound", null, null, 0, null, plain.port());

        assertThat(send(HttpRequest.newBuilder(URI.create("http://reviews/garbage"))
                .header("x-test", "garbage").header(PeerMetadata.ID_HEADER, "x")
                .header(PeerMetadata.HEADER, "%%%not base64")).statusCode()).isEqualTo(200);
        assertThat(send(HttpRequest.newBuilder(URI.create("http://reviews/garbage"))
                .header(PeerMetadata.HEADER, Base64.getEncoder().encodeToString(new byte[] {(byte) 0xff, 1, 2})))
                .statusCode()).isEqualTo(200);

        assertThat(requests(Map.of("reporter", "destination", "source_workload", "unknown",
                "source_canonical_service", "unknown", "source_cluster", "unknown"))).isEqualTo(2);
    }

    @Test
    void responseFlagsShowUpAsIstioLabelsThem() throws Exception {
        serve("outbound", new FaultSpec(null, new FaultSpec.Abort(503, 100)), null, 0, null, plain.port());
        assertThat(send(HttpRequest.newBuilder(URI.create("http://reviews/fi"))).statusCode()).isEqualTo(503);
        assertThat(requests(Map.of("response_flags", "FI", "response_code", "503"))).isEqualTo(1);

        serve("outbound", new FaultSpec(new FaultSpec.Delay(20, 100), null), null, 0, null, plain.port());
        assertThat(send(HttpRequest.newBuilder(URI.create("http://reviews/di"))).statusCode()).isEqualTo(200);
        assertThat(requests(Map.of("response_flags", "DI", "response_code", "200"))).isEqualTo(1);

        serve("outbound", null, null, 0, null);
        assertThat(send(HttpRequest.newBuilder(URI.create("http://reviews/uh"))).statusCode()).isEqualTo(503);
        assertThat(requests(Map.of("response_flags", "UH", "response_code", "503",
                "destination_service", HOST, "destination_workload", "unknown"))).isEqualTo(1);

        int dead = FreePorts.next();
        serve("outbound", null, new RetrySpec(1, 0, Set.of("connect-failure"), Set.of(), false), 0, null, dead);
        assertThat(send(HttpRequest.newBuilder(URI.create("http://reviews/urx"))).statusCode()).isEqualTo(503);
        assertThat(requests(Map.of("response_flags", "UF,URX", "response_code", "503"))).isEqualTo(1);

        serve("outbound", null, null, 0, null, plain.port());
        assertThat(send(HttpRequest.newBuilder(URI.create("http://nowhere/nr"))).statusCode()).isEqualTo(502);
        assertThat(requests(Map.of("response_flags", "NR", "response_code", "502",
                "destination_service", "unknown"))).isEqualTo(1);

        try (SlowServer slow = new SlowServer(2000)) {
            serve("outbound", null, new RetrySpec(0, 0, Set.of(), Set.of(), false), 200, null, slow.port());
            assertThat(send(HttpRequest.newBuilder(URI.create("http://reviews/ut"))).statusCode()).isEqualTo(504);
            assertThat(requests(Map.of("response_flags", "UT", "response_code", "504"))).isEqualTo(1);
        }
    }

    @Test
    void telemetryOverridesDisableMetricsAndRemoveOrUpsertLabelsPerReporter() throws Exception {
        TelemetrySpec telemetry = new TelemetrySpec(List.of("bookinfo/reviews"), List.of(),
                new TelemetrySpec.MetricsSpec(List.of(), List.of(
                        new TelemetrySpec.MetricSpec(IstioMetric.REQUEST_COUNT, WorkloadMode.CLIENT, false,
                                Map.of("response_flags", new TagOverride(TagOverride.Operation.REMOVE, null),
                                        "destination_version", new TagOverride(null, "'override'"),
                                        "request_method", new TagOverride(null, "request.method"))),
                        new TelemetrySpec.MetricSpec(IstioMetric.REQUEST_SIZE, WorkloadMode.CLIENT, true,
                                Map.of()))),
                List.of());
        serve("outbound", null, null, 0, telemetry, istioPeer.port());

        assertThat(send(HttpRequest.newBuilder(URI.create("http://reviews/o"))
                .method("PUT", HttpRequest.BodyPublishers.ofString("x"))).statusCode()).isEqualTo(200);

        String line = line("istio_requests_total{", Map.of("request_method", "PUT"));
        assertThat(line).contains("destination_version=\"override\"").doesNotContain("response_flags=")
                .contains("destination_workload=\"reviews-v2\"");
        assertThat(line("istio_request_duration_milliseconds_count{", Map.of("reporter", "source",
                "destination_workload", "reviews-v2", "response_flags", "-"))).isNotNull();
        assertThat(metrics.scrape().lines().filter(l -> l.startsWith("istio_request_bytes_count{"))
                .filter(l -> l.contains("destination_workload=\"reviews-v2\"")).toList())
                .as("REQUEST_SIZE disabled for CLIENT under this view").allMatch(l -> !l.contains("request_method"));
    }


    @Test
    void requestAndResponseBytesCountTheHeadAndTheBodyAsOnTheDownstreamWire() throws Exception {
        serve("outbound", null, null, 0, null, plain.port());
        Map<String, String> series = Map.of("reporter", "source", "destination_service", HOST,
                "response_code", "200", "response_flags", "-");
        long[] before = histogram("istio_request_bytes", series);
        long[] responseBefore = histogram("istio_response_bytes", series);
        String request = "POST http://reviews:9080/bytes HTTP/1.1\r\nhost: reviews:9080\r\nx-test: bytes\r\n"
                + "content-length: 5\r\nconnection: close\r\n\r\nhello";

        byte[] response;
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            response = socket.getInputStream().readAllBytes();
        }

        String text = new String(response, StandardCharsets.US_ASCII);
        assertThat(text).startsWith("HTTP/1.1 200 OK\r\n").containsIgnoringCase("content-length: 5\r\n")
                .endsWith("\r\n\r\nplain");
        await().atMost(Duration.ofSeconds(10)).until(() -> histogram("istio_response_bytes", series)[0],
                c -> c == responseBefore[0] + 1);
        long[] after = histogram("istio_request_bytes", series);
        long[] responseAfter = histogram("istio_response_bytes", series);
        assertThat(after[0] - before[0]).isEqualTo(1);
        assertThat(after[1] - before[1]).as("request line, fields, blank line and the 5-byte body")
                .isEqualTo(request.length());
        assertThat(responseAfter[1] - responseBefore[1]).as("every byte the client read").isEqualTo(response.length);
    }

    /** {count, sum} of a histogram summed over the series having these labels. */
    private long[] histogram(String name, Map<String, String> labels) {
        long[] result = new long[2];
        for (String line : metrics.scrape().split("\n")) {
            boolean count = line.startsWith(name + "_count{");
            if ((count || line.startsWith(name + "_sum{")) && labels.entrySet().stream()
                    .allMatch(e -> line.contains(e.getKey() + "=\"" + e.getValue() + "\""))) {
                result[count ? 0 : 1] += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return result;
    }

    /** A server that answers after a delay, for upstream timeouts. */
    static final class SlowServer implements AutoCloseable {
        private final com.sun.net.httpserver.HttpServer server;

        SlowServer(long delayMillis) throws IOException {
            server = com.sun.net.httpserver.HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
            server.createContext("/", exchange -> {
                try {
                    Thread.sleep(delayMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
            });
            server.start();
        }

        int port() {
            return server.getAddress().getPort();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
