package dev.meshgate.proxy.route;

import static dev.meshgate.proxy.route.Views.cluster;
import static dev.meshgate.proxy.route.Views.endpoint;
import static dev.meshgate.proxy.route.Views.route;
import static dev.meshgate.proxy.route.Views.vhost;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import jdk.jfr.consumer.RecordingStream;

import dev.meshgate.core.view.ListenerSpec;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.proxy.testapp.Backend;
import dev.meshgate.proxy.testapp.OutboundHttpClient;
import dev.meshgate.proxy.testapp.TestListenerBinding;
import dev.meshgate.proxy.testapp.TestProxyApplication;
import dev.meshgate.proxy.timeline.RequestTimelineEvent;

import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * Per-request Flight Recorder events through a real proxy and backend: committed with the request's phases while
 * a recording enables them, and not at all otherwise.
 */
@SpringBootTest(classes = TestProxyApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.address=127.0.0.1", "spring.main.banner-mode=off"})
class RequestTimelineSocketTest {

    private static final String CLUSTER = "outbound|80||web.default.svc.cluster.local";
    private static final String FRESH_CLUSTER = "outbound|80||fresh.default.svc.cluster.local";

    private static Backend web;
    /**
     * A backend only one test sends to, answering the client port it saw ({@code x-client-port}): the proxy's
     * connection each request went on.
     */
    private static DisposableServer fresh;

    @LocalServerPort
    int port;

    @Autowired
    MeshRouteTable table;

    @Autowired
    TestListenerBinding binding;

    private HttpClient client;

    @BeforeAll
    static void start() {
        web = new Backend("web-body");
        fresh = HttpServer.create().host("127.0.0.1").port(0)
                .handle((req, res) -> res.header("x-client-port",
                        Integer.toString(((InetSocketAddress) req.remoteAddress()).getPort()))
                        .sendString(Mono.just("fresh")))
                .bindNow();
    }

    @AfterAll
    static void stop() {
        web.close();
        fresh.disposeNow();
    }

    @BeforeEach
    void setUp() throws Exception {
        binding.bind(port, "outbound");
        table.apply(new ProxyView("t1", "snap", List.of(new ListenerSpec("outbound", 0,
                ListenerSpec.Direction.OUTBOUND, List.of(
                        vhost("web.default.svc.cluster.local:80", List.of("web"), route("default.web.0", CLUSTER)),
                        vhost("fresh.default.svc.cluster.local:80", List.of("fresh"),
                                route("default.fresh.0", FRESH_CLUSTER))))),
                List.of(cluster(CLUSTER, endpoint("127.0.0.1", web.port())),
                        cluster(FRESH_CLUSTER, endpoint("127.0.0.1", fresh.port()))),
                ProxyView.OutboundTrafficPolicy.ALLOW_ANY, null, null, null));
        client = OutboundHttpClient.through(port);
    }

    private void send(String requestId) throws Exception {
        send("web", requestId);
    }

    private HttpResponse<String> send(String host, String requestId) throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://" + host + "/items"))
                .header("x-request-id", requestId).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response;
    }

    /**
     * The Flight Recorder's request events of the requests {@code sending} sends (it returns their ids), by request
     * id, from a plain recording started before they are sent and dumped until all are in it: a recording stream
     * opened just before a request was seen to miss that request's event and to deliver the next one's twice.
     */
    private static Map<String, List<RecordedEvent>> recorded(Path dir, Callable<List<String>> sending)
            throws Exception {
        Map<String, List<RecordedEvent>> byId = new ConcurrentHashMap<>();
        try (Recording recording = new Recording()) {
            recording.enable(RequestTimelineEvent.NAME);
            recording.start();
            List<String> sent = sending.call();
            Path dump = dir.resolve("timeline.jfr");
            // The proxy commits an event once the response is written, which can be after the client read it.
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
                recording.dump(dump);
                byId.clear();
                for (RecordedEvent e : RecordingFile.readAllEvents(dump)) {
                    byId.computeIfAbsent(e.getString("requestId"), k -> new ArrayList<>()).add(e);
                }
                return byId.keySet().containsAll(sent);
            });
        }
        return byId;
    }

    @Test
    void aRecordingThatEnablesTheEventGetsOnePerRequestWithItsPhases(@TempDir Path dir) throws Exception {
        Map<String, List<RecordedEvent>> byId = recorded(dir, () -> {
            send("timeline-1");
            return List.of("timeline-1");
        });

        assertThat(byId.get("timeline-1")).hasSize(1);
        RecordedEvent event = byId.get("timeline-1").get(0);
        assertThat(event.getString("listener")).isEqualTo("outbound");
        assertThat(event.getString("requestId")).isEqualTo("timeline-1");
        assertThat(event.getString("cluster")).isEqualTo(CLUSTER);
        assertThat(event.getInt("status")).isEqualTo(200);
        assertThat(event.getInt("attempts")).isEqualTo(1);
        long total = event.getDuration("totalNanos").toNanos();
        long before = event.getDuration("beforeUpstreamNanos").toNanos();
        long upstream = event.getDuration("upstreamNanos").toNanos();
        assertThat(upstream).isPositive();
        assertThat(before).isNotNegative();
        assertThat(before + upstream).isLessThanOrEqualTo(total);
        long acquire = event.getDuration("acquireNanos").toNanos();
        assertThat(acquire).isNotNegative().isLessThanOrEqualTo(upstream);
    }

    @Test
    void theConnectTimeIsTheFirstRequestsOnANewConnectionAndZeroOnAPooledOne(@TempDir Path dir) throws Exception {
        // Requests one after another to a backend no request went to yet, until one went on a connection an
        // earlier one opened (the backend names the port of the proxy's connection). Not always the second: a pool
        // per event loop, and a connection's release can trail its answer.
        Map<String, Integer> portById = new LinkedHashMap<>();
        Map<String, List<RecordedEvent>> byId = recorded(dir, () -> {
            for (int i = 1; i <= 20 && Set.copyOf(portById.values()).size() == portById.size(); i++) {
                String id = "connect-" + i;
                portById.put(id, Integer.parseInt(send("fresh", id).headers().firstValue("x-client-port")
                        .orElseThrow()));
            }
            return List.copyOf(portById.keySet());
        });

        assertThat(Set.copyOf(portById.values())).as("connections of %s", portById).hasSizeLessThan(portById.size());
        Set<Integer> opened = new HashSet<>();
        portById.forEach((id, port) -> {
            assertThat(byId.get(id)).as(id).hasSize(1);
            RecordedEvent event = byId.get(id).get(0);
            assertThat(event.getString("cluster")).isEqualTo(FRESH_CLUSTER);
            long connect = event.getDuration("connectNanos").toNanos();
            long acquire = event.getDuration("acquireNanos").toNanos();
            if (opened.add(port)) {
                assertThat(connect).as("%s, the first on its connection", id).isPositive()
                        .isLessThanOrEqualTo(acquire);
            } else {
                assertThat(connect).as("%s, on a pooled connection", id).isZero();
                assertThat(acquire).isNotNegative()
                        .isLessThanOrEqualTo(event.getDuration("upstreamNanos").toNanos());
            }
        });
    }

    /** A recording stream that delivers the request events to {@code events}; enabling them or not. */
    private static RecordingStream stream(boolean enabled, List<RecordedEvent> events) {
        RecordingStream stream = new RecordingStream();
        if (enabled) {
            stream.enable(RequestTimelineEvent.NAME);
        }
        stream.onEvent(RequestTimelineEvent.NAME, events::add);
        stream.startAsync();
        return stream;
    }

    @Test
    void withoutARecordingThatEnablesItNoEventIsCommitted() throws Exception {
        List<RecordedEvent> events = new CopyOnWriteArrayList<>();
        try (RecordingStream stream = stream(false, events)) {
            send("timeline-2");
            // A stream flushes about once a second: three seconds would have shown a committed event.
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(events::isEmpty);
        }
    }
}
