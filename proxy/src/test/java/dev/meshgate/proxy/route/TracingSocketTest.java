package dev.meshgate.proxy.route;

import static dev.meshgate.proxy.route.Views.cluster;
import static dev.meshgate.proxy.route.Views.endpoint;
import static dev.meshgate.proxy.route.Views.outbound;
import static dev.meshgate.proxy.route.Views.route;
import static dev.meshgate.proxy.route.Views.vhost;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import reactor.blockhound.BlockHound;
import tools.jackson.databind.JsonNode;

import org.jspecify.annotations.Nullable;

import dev.meshgate.core.telemetry.Telemetry.WorkloadMode;
import dev.meshgate.core.view.ListenerSpec;
import dev.meshgate.core.view.TelemetrySpec;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.view.TracerSpec;
import dev.meshgate.proxy.testapp.Backend;
import dev.meshgate.proxy.testapp.OutboundHttpClient;
import dev.meshgate.proxy.testapp.TestListenerBinding;
import dev.meshgate.proxy.testapp.TestProxyApplication;
import dev.meshgate.proxy.tracing.FakeZipkin;
import dev.meshgate.proxy.tracing.MeshTracer;
import dev.meshgate.testing.FreePorts;

/** Trace context read, sampled, propagated upstream and reported to a collector on loopback, per view. */
@SpringBootTest(classes = TestProxyApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.address=127.0.0.1", "spring.main.banner-mode=off"})
class TracingSocketTest {

    private static final String CLUSTER = "outbound|80||web.default.svc.cluster.local";
    private static final String TRACE_ID = "463ac35c9f6413ad48485a3953bb6124";
    private static final String SPAN_ID = "a2fb4a1d1a96d312";

    private static final AtomicInteger versions = new AtomicInteger();
    private static Backend web;
    private static FakeZipkin zipkin;

    @LocalServerPort
    int port;

    @Autowired
    MeshRouteTable table;

    @Autowired
    TestListenerBinding binding;

    @Autowired
    MeshTracer tracer;

    private HttpClient client;

    @BeforeAll
    static void start() throws IOException {
        BlockHound.install();
        web = new Backend("web-body");
        zipkin = new FakeZipkin(false);
    }

    @AfterAll
    static void stop() {
        web.close();
        zipkin.close();
    }

    @BeforeEach
    void setUp() {
        binding.bind(port, "outbound");
        zipkin.clear();
        client = OutboundHttpClient.through(port);
    }

    private static TracerSpec tracing(double sampling, int collectorPort) {
        return new TracerSpec(true, "zipkin", "127.0.0.1", collectorPort, "/api/v2/spans", sampling, 256, 256,
                Map.of("team", new TracerSpec.CustomTag("payments", null, null, null)), "cluster.local", List.of());
    }

    private void serve(String listener, ListenerSpec.Direction direction, TracerSpec tracing) throws Exception {
        serve(listener, direction, null, tracing);
    }

    private void serve(String listener, ListenerSpec.Direction direction, @Nullable TelemetrySpec telemetry,
            TracerSpec tracing) throws Exception {
        var host = vhost("web.default.svc.cluster.local:80", List.of("web", "web.default.svc.cluster.local"),
                route("default.web.0", CLUSTER));
        table.apply(new ProxyView("t" + versions.incrementAndGet(), "snap", List.of(new ListenerSpec(listener, 0,
                direction, List.of(host))), List.of(cluster(CLUSTER, endpoint("127.0.0.1", web.port()))),
                ProxyView.OutboundTrafficPolicy.ALLOW_ANY, null, telemetry, tracing));
    }

    private void serve(TracerSpec tracing) throws Exception {
        serve("outbound", ListenerSpec.Direction.OUTBOUND, tracing);
    }

    private Map<String, String> send(String... headers) throws IOException, InterruptedException {
        int before = web.received().size();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://web/items?q=1"))
                .timeout(Duration.ofSeconds(30));
        if (headers.length > 0) {
            request.headers(headers);
        }
        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return web.received().get(before).headers();
    }

    @Test
    void aSampledRequestIsAClientSpanChildOfTheIncomingB3ContextInEnvoysShape() throws Exception {
        serve(tracing(0, zipkin.port()));

        Map<String, String> upstream = send("x-b3-traceid", TRACE_ID, "x-b3-spanid", SPAN_ID, "x-b3-sampled", "1",
                "x-request-id", "rid-1", "user-agent", "test-agent");

        assertThat(upstream.get("x-b3-traceid")).isEqualTo(TRACE_ID);
        assertThat(upstream.get("x-b3-parentspanid")).isEqualTo(SPAN_ID);
        String spanId = upstream.get("x-b3-spanid");
        assertThat(spanId).hasSize(16).isNotEqualTo(SPAN_ID);
        assertThat(upstream.get("x-b3-sampled")).isEqualTo("1");
        assertThat(upstream.get("traceparent")).isEqualTo("00-" + TRACE_ID + "-" + spanId + "-01");
        assertThat(upstream).doesNotContainKey("b3");

        JsonNode span = zipkin.next();
        assertThat(span).as("a span reported").isNotNull();
        assertThat(span.get("traceId").asString()).isEqualTo(TRACE_ID);
        assertThat(span.get("parentId").asString()).isEqualTo(SPAN_ID);
        assertThat(span.get("id").asString()).isEqualTo(spanId);
        assertThat(span.get("kind").asString()).isEqualTo("CLIENT");
        assertThat(span.get("name").asString()).isEqualTo("web.default.svc.cluster.local:80/*");
        assertThat(span.get("localEndpoint").get("serviceName").asString()).isEqualTo("unknown.default");
        JsonNode tags = span.get("tags");
        assertThat(tags.get("component").asString()).isEqualTo("proxy");
        assertThat(tags.get("guid:x-request-id").asString()).isEqualTo("rid-1");
        assertThat(tags.get("http.url").asString()).isEqualTo("http://web/items?q=1");
        assertThat(tags.get("http.method").asString()).isEqualTo("GET");
        assertThat(tags.get("http.protocol").asString()).isEqualTo("HTTP/1.1");
        assertThat(tags.get("http.status_code").asString()).isEqualTo("200");
        assertThat(tags.get("user_agent").asString()).isEqualTo("test-agent");
        assertThat(tags.get("upstream_cluster").asString()).isEqualTo(CLUSTER);
        assertThat(tags.get("upstream_cluster.name").asString()).isEqualTo(CLUSTER);
        assertThat(tags.get("peer.address").asString()).isEqualTo("127.0.0.1");
        assertThat(tags.get("response_size").asString()).isEqualTo("8");
        assertThat(tags.get("response_flags").asString()).isEqualTo("-");
        assertThat(tags.get("istio.mesh_id").asString()).isEqualTo("cluster.local");
        assertThat(tags.get("istio.canonical_service").asString()).isEqualTo("unknown");
        assertThat(tags.get("team").asString()).isEqualTo("payments");
        assertThat(tags.has("error")).isFalse();
        assertThat(tags.has("node_id")).isTrue();
    }

    @Test
    void theInboundListenerMakesAServerSpan() throws Exception {
        binding.bind(port, "inbound");
        serve("inbound", ListenerSpec.Direction.INBOUND, tracing(100, zipkin.port()));

        send("x-b3-traceid", TRACE_ID, "x-b3-spanid", SPAN_ID);

        JsonNode span = zipkin.next();
        assertThat(span.get("kind").asString()).isEqualTo("SERVER");
        assertThat(span.get("parentId").asString()).isEqualTo(SPAN_ID);
    }

    @Test
    void anInboundSpanIsNamedAfterTheWorkloadsServiceOrWithoutOneAfterTheHostTheCallerNamed() throws Exception {
        binding.bind(port, "inbound");
        String inbound = "inbound|" + web.port() + "||";
        // The sidecar names the inbound virtual host after its workload's service when the view has one.
        Map<String, String> expected = Map.of("echo.default.svc.cluster.local:8080",
                "echo.default.svc.cluster.local:8080/*", "inbound", "web:" + web.port() + "/*");
        for (Map.Entry<String, String> virtualHost : expected.entrySet()) {
            zipkin.clear();
            table.apply(new ProxyView("t" + versions.incrementAndGet(), "snap", List.of(new ListenerSpec("inbound",
                    0, ListenerSpec.Direction.INBOUND, List.of(vhost(virtualHost.getKey(), List.of("*"),
                            route("inbound.default", inbound))))), List.of(cluster(inbound, endpoint("127.0.0.1",
                                    web.port()))), ProxyView.OutboundTrafficPolicy.ALLOW_ANY, null, null,
                    tracing(100, zipkin.port())));

            send();

            JsonNode span = zipkin.next();
            assertThat(span.get("kind").asString()).isEqualTo("SERVER");
            assertThat(span.get("name").asString()).isEqualTo(virtualHost.getValue());
        }
    }

    @Test
    void aSingleB3HeaderIsReadAndPropagatedInBothForms() throws Exception {
        serve(tracing(0, zipkin.port()));

        Map<String, String> upstream = send("b3", TRACE_ID + "-" + SPAN_ID + "-1");

        assertThat(upstream.get("x-b3-traceid")).isEqualTo(TRACE_ID);
        assertThat(upstream.get("x-b3-parentspanid")).isEqualTo(SPAN_ID);
        assertThat(upstream.get("b3")).isEqualTo(TRACE_ID + "-" + upstream.get("x-b3-spanid") + "-1-" + SPAN_ID);
        assertThat(zipkin.next()).isNotNull();
    }

    @Test
    void aW3cTraceparentIsReadAndTracestatePassesThrough() throws Exception {
        serve(tracing(0, zipkin.port()));

        Map<String, String> upstream = send("traceparent", "00-" + TRACE_ID + "-" + SPAN_ID + "-01",
                "tracestate", "vendor=x");

        assertThat(upstream.get("x-b3-traceid")).isEqualTo(TRACE_ID);
        assertThat(upstream.get("x-b3-parentspanid")).isEqualTo(SPAN_ID);
        assertThat(upstream.get("x-b3-sampled")).isEqualTo("1");
        assertThat(upstream.get("tracestate")).isEqualTo("vendor=x");
        assertThat(upstream.get("traceparent")).startsWith("00-" + TRACE_ID + "-").endsWith("-01");
        // Sampled by the caller: its span is reported (and taken here, not left to arrive in the next test's).
        JsonNode span = zipkin.next();
        assertThat(span).as("the caller's sampled span").isNotNull();
        assertThat(span.get("traceId").asString()).isEqualTo(TRACE_ID);
    }

    @Test
    void aMalformedB3OrTraceparentStartsANewTraceAndTheRequestSucceeds() throws Exception {
        serve(tracing(0, zipkin.port()));

        Map<String, String> b3 = send("b3", "not-a-b3-header", "x-b3-traceid", "zzzz", "x-b3-spanid", "1");
        Map<String, String> w3c = send("traceparent", "00-" + TRACE_ID + "-" + SPAN_ID);

        for (Map<String, String> upstream : List.of(b3, w3c)) {
            assertThat(upstream.get("x-b3-traceid")).hasSize(32).isNotEqualTo(TRACE_ID).isNotEqualTo("zzzz");
            assertThat(upstream).doesNotContainKey("x-b3-parentspanid");
            assertThat(upstream.get("x-b3-sampled")).isEqualTo("0");
        }
        assertThat(b3.get("b3")).startsWith(b3.get("x-b3-traceid"));
    }

    @Test
    void aGarbageOrOversizedRequestIdIsReplacedAndAGoodOneKept() throws Exception {
        serve(tracing(0, zipkin.port()));

        String oversized = "a".repeat(129);
        assertThat(send("x-request-id", oversized).get("x-request-id")).hasSize(36).isNotEqualTo(oversized);
        assertThat(send("x-request-id", "<script>").get("x-request-id")).hasSize(36);
        assertThat(send("x-request-id", "a".repeat(128)).get("x-request-id")).isEqualTo("a".repeat(128));
        assertThat(send().get("x-request-id")).hasSize(36);
    }

    @Test
    void samplingZeroReportsNothingButAnUpstreamDecisionOrForceTraceDoes() throws Exception {
        serve(tracing(0, zipkin.port()));

        for (int i = 0; i < 20; i++) {
            assertThat(send().get("x-b3-sampled")).isEqualTo("0");
        }
        send("x-envoy-force-trace", "true");
        send("x-b3-sampled", "1");

        await().atMost(Duration.ofSeconds(10)).until(() -> zipkin.received().size() >= 2);
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5))
                .until(() -> zipkin.received().size() == 2);
    }

    @Test
    void aNewViewChangesSamplingWithoutARestart() throws Exception {
        serve(tracing(0, zipkin.port()));
        assertThat(send().get("x-b3-sampled")).isEqualTo("0");

        serve(tracing(100, zipkin.port()));
        assertThat(send().get("x-b3-sampled")).isEqualTo("1");
        assertThat(zipkin.next()).isNotNull();

        TracerSpec off = new TracerSpec(false, "zipkin", "127.0.0.1", zipkin.port(), "/api/v2/spans", 100, 256,
                256, Map.of(), "cluster.local", List.of());
        serve(off);
        Map<String, String> untouched = send("x-b3-traceid", TRACE_ID, "x-b3-spanid", SPAN_ID);
        assertThat(untouched.get("x-b3-spanid")).as("passed through, not traced").isEqualTo(SPAN_ID);
        assertThat(untouched).doesNotContainKey("traceparent");
    }

    @Test
    void aTelemetryResourcesSamplingAndDisableSpanReportingWinOverMeshConfig() throws Exception {
        TelemetrySpec everything = new TelemetrySpec(List.of("istio-system/mesh-default"), List.of(
                new TelemetrySpec.TracingSpec(WorkloadMode.CLIENT, List.of(), 100.0, null, Map.of(), null)),
                TelemetrySpec.MetricsSpec.DEFAULT, List.of());
        serve("outbound", ListenerSpec.Direction.OUTBOUND, everything, tracing(0, zipkin.port()));
        assertThat(send().get("x-b3-sampled")).isEqualTo("1");
        assertThat(zipkin.next()).isNotNull();

        TelemetrySpec silent = new TelemetrySpec(List.of("istio-system/mesh-default"), List.of(
                new TelemetrySpec.TracingSpec(WorkloadMode.CLIENT, List.of(), 100.0, true, Map.of(), null)),
                TelemetrySpec.MetricsSpec.DEFAULT, List.of());
        serve("outbound", ListenerSpec.Direction.OUTBOUND, silent, tracing(0, zipkin.port()));
        zipkin.clear();
        assertThat(send().get("x-b3-sampled")).as("still propagated").isEqualTo("1");
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).until(() -> zipkin.received().isEmpty());
    }

    @Test
    void aCollectorThatIsDownOrHangsCostsDroppedSpansWhileRequestsAreAnswered() throws Exception {
        double droppedBefore = tracer.spansDropped();
        serve(tracing(100, FreePorts.next()));
        for (int i = 0; i < 20; i++) {
            long start = System.nanoTime();
            send();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        }
        // Generous: each batch to a dead or hanging collector costs the reporter's timeouts, one batch at a time.
        await().atMost(Duration.ofSeconds(120)).until(() -> tracer.spansDropped() >= droppedBefore + 20);

        try (FakeZipkin hanging = new FakeZipkin(true)) {
            serve(tracing(100, hanging.port()));
            for (int i = 0; i < 20; i++) {
                long start = System.nanoTime();
                send();
                assertThat(Duration.ofNanos(System.nanoTime() - start)).as("request %d", i)
                        .isLessThan(Duration.ofSeconds(10));
            }
            // The reporter's read timeout (2 s) gives each batch up, one at a time, its spans counted as dropped: up
            // to 20 batches on a loaded machine. (That reporting never waits on the collector is SpanReporterTest's.)
            await().atMost(Duration.ofSeconds(120)).until(() -> tracer.spansDropped() >= droppedBefore + 40);
        }
    }

}
