package dev.meshgate.proxy.route;

import static dev.meshgate.proxy.route.Views.cluster;
import static dev.meshgate.proxy.route.Views.endpoint;
import static dev.meshgate.proxy.route.Views.outbound;
import static dev.meshgate.proxy.route.Views.vhost;
import static dev.meshgate.proxy.route.Views.view;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.jspecify.annotations.Nullable;

import dev.meshgate.core.view.FaultSpec;
import dev.meshgate.core.view.HeaderOps;
import dev.meshgate.core.view.RetrySpec;
import dev.meshgate.core.view.RouteSpec;
import dev.meshgate.core.view.RouteSpec.RouteAction;
import dev.meshgate.core.view.RouteSpec.WeightedCluster;
import dev.meshgate.proxy.stream.ResponseFlags;
import dev.meshgate.proxy.stream.StreamInfo;
import dev.meshgate.proxy.stream.StreamSink;
import dev.meshgate.proxy.testapp.Backend;
import dev.meshgate.proxy.testapp.OutboundHttpClient;
import dev.meshgate.proxy.testapp.TestListenerBinding;
import dev.meshgate.proxy.testapp.TestProxyApplication;
import dev.meshgate.testing.FreePorts;

/** The per-request record as routing, the upstream tries, faults and local replies write it, read by a sink. */
@SpringBootTest(classes = {TestProxyApplication.class, StreamInfoSocketTest.Recording.class},
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.address=127.0.0.1", "spring.main.banner-mode=off"})
class StreamInfoSocketTest {

    /** A sink that keeps every finished record. */
    @TestConfiguration
    static class Recording {
        static final BlockingQueue<StreamInfo> records = new LinkedBlockingQueue<>();

        @Bean
        StreamSink recordingSink() {
            return (info, exchange) -> records.add(info);
        }
    }

    private static final AtomicInteger versions = new AtomicInteger();
    private static Backend web;

    @LocalServerPort
    int port;

    @Autowired
    MeshRouteTable table;

    @Autowired
    TestListenerBinding binding;

    private HttpClient client;

    @BeforeAll
    static void startBackend() {
        web = new Backend("web-body");
    }

    @AfterAll
    static void stopBackend() {
        web.close();
    }

    @BeforeEach
    void setUp() {
        binding.bind(port, "outbound");
        Recording.records.clear();
        client = OutboundHttpClient.through(port);
    }

    private void serve(@Nullable FaultSpec fault, @Nullable RetrySpec retries, int... ports) throws Exception {
        RouteSpec route = new RouteSpec("default.web.0", null, List.of(),
                new RouteAction(List.of(new WeightedCluster("web", 100, null, null))), null, null, null,
                HeaderOps.NONE, HeaderOps.NONE, 0, retries, fault, List.of(), null);
        var endpoints = java.util.Arrays.stream(ports).mapToObj(p -> endpoint("127.0.0.1", p))
                .toArray(dev.meshgate.core.view.EndpointSpec[]::new);
        table.apply(view("s" + versions.incrementAndGet(), List.of(outbound(vhost("web", List.of("web"), route))),
                List.of(cluster("web", endpoints))));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return client.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static StreamInfo record() throws InterruptedException {
        StreamInfo info = Recording.records.poll(10, TimeUnit.SECONDS);
        assertThat(info).as("a finished record").isNotNull();
        return info;
    }

    @Test
    void aForwardedRequestRecordsRouteClusterEndpointTriesBytesAndTimes() throws Exception {
        serve(null, null, web.port());

        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create("http://web/upload"))
                .header("x-request-id", "rid-1").POST(HttpRequest.BodyPublishers.ofString("0123456789")));

        assertThat(response.statusCode()).isEqualTo(200);
        StreamInfo info = record();
        assertThat(info.listener()).isEqualTo("outbound");
        assertThat(info.route().getId()).isEqualTo("default.web.0");
        assertThat(info.cluster().name()).isEqualTo("web");
        assertThat(info.upstreamHost().hostPort()).isEqualTo("127.0.0.1:" + web.port());
        assertThat(info.attempts()).isEqualTo(1);
        assertThat(info.responseCode()).isEqualTo(200);
        assertThat(ResponseFlags.format(info.responseFlags())).isEqualTo("-");
        assertThat(info.requestId()).isEqualTo("rid-1");
        assertThat(info.requestBodyBytes()).isEqualTo(10);
        assertThat(info.responseBodyBytes()).isEqualTo("web-body".length());
        assertThat(info.durationNanos()).isGreaterThanOrEqualTo(info.responseDurationNanos());
        assertThat(info.responseDurationNanos()).isGreaterThanOrEqualTo(info.upstreamServiceTimeNanos());
        assertThat(info.upstreamServiceTimeNanos()).isPositive();
    }

    @Test
    void aFaultAbortIsRecordedFIWithNoTry() throws Exception {
        serve(new FaultSpec(null, new FaultSpec.Abort(503, 100)), null, web.port());

        assertThat(send(HttpRequest.newBuilder(URI.create("http://web/"))).statusCode()).isEqualTo(503);

        StreamInfo info = record();
        assertThat(ResponseFlags.format(info.responseFlags())).isEqualTo("FI");
        assertThat(info.attempts()).isZero();
        assertThat(info.responseCode()).isEqualTo(503);
        assertThat(info.upstreamHost()).isNull();
        assertThat(info.responseBodyBytes()).isEqualTo("meshgate: fault filter abort (FI)\n".length());
    }

    @Test
    void retriesThatRunOutRecordEveryTryAndUfUrx() throws Exception {
        int dead = FreePorts.next();
        serve(null, new RetrySpec(2, 0, Set.of("connect-failure"), Set.of(), false), dead);

        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create("http://web/")));

        assertThat(response.statusCode()).isEqualTo(503);
        StreamInfo info = record();
        assertThat(info.attempts()).isEqualTo(3);
        assertThat(ResponseFlags.format(info.responseFlags())).isEqualTo("UF,URX");
        assertThat(info.upstreamHost().hostPort()).isEqualTo("127.0.0.1:" + dead);
        assertThat(info.upstreamServiceTimeNanos()).isEqualTo(-1);
    }

    @Test
    void anUnknownHostUnderRegistryOnlyIsRecordedNROnTheBlackHole() throws Exception {
        table.apply(view("s" + versions.incrementAndGet(), List.of(outbound(vhost("web", List.of("web")))),
                List.of(cluster("web", endpoint("127.0.0.1", web.port()))),
                dev.meshgate.core.view.ProxyView.OutboundTrafficPolicy.REGISTRY_ONLY));

        assertThat(send(HttpRequest.newBuilder(URI.create("http://nowhere/"))).statusCode()).isEqualTo(502);

        StreamInfo info = record();
        assertThat(ResponseFlags.format(info.responseFlags())).isEqualTo("NR");
        assertThat(info.route().getId()).isEqualTo("BlackHoleCluster");
        assertThat(info.cluster()).isNull();
    }

    @Test
    void aDelayIsRecordedDIBesideTheUpstreamAnswer() throws Exception {
        serve(new FaultSpec(new FaultSpec.Delay(50, 100), null), null, web.port());

        assertThat(send(HttpRequest.newBuilder(URI.create("http://web/"))).statusCode()).isEqualTo(200);

        StreamInfo info = record();
        assertThat(ResponseFlags.format(info.responseFlags())).isEqualTo("DI");
        assertThat(info.durationNanos()).isGreaterThanOrEqualTo(50_000_000L);
        assertThat(info.attempts()).isEqualTo(1);
    }

    @Test
    void theAdminPortGetsNoRecord() throws Exception {
        serve(null, null, web.port());
        binding.unbind(port);
        try {
            HttpClient direct = HttpClient.newHttpClient();
            direct.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health")).build(),
                    HttpResponse.BodyHandlers.discarding());
            // The request above is done when send returns; its record, if any, was handed over before.
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                    .until(() -> Recording.records.isEmpty());
        } finally {
            binding.bind(port, "outbound");
        }
    }

}
