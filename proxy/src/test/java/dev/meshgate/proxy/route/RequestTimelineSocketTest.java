package dev.meshgate.proxy.route;

import static dev.meshgate.proxy.route.Views.cluster;
import static dev.meshgate.proxy.route.Views.endpoint;
import static dev.meshgate.proxy.route.Views.route;
import static dev.meshgate.proxy.route.Views.vhost;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
    /** A backend only one test sends to, once: its first request needs a new connection. */
    private static Backend fresh;

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
        fresh = new Backend("fresh");
    }

    @AfterAll
    static void stop() {
        web.close();
        fresh.close();
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

    private void send(String host, String requestId) throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://" + host + "/items"))
                .header("x-request-id", requestId).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
    }

    /**
     * The request events of a recording stream open while the request is sent. The proxy commits an event once the
     * response is written, which can be after the client has read it, so the events are awaited, not read at once.
     */
    private RecordingStream stream(boolean enabled, List<RecordedEvent> events) {
        RecordingStream stream = new RecordingStream();
        if (enabled) {
            stream.enable(RequestTimelineEvent.NAME);
        }
        stream.onEvent(RequestTimelineEvent.NAME, events::add);
        stream.startAsync();
        return stream;
    }

    @Test
    void aRecordingThatEnablesTheEventGetsOnePerRequestWithItsPhases() throws Exception {
        List<RecordedEvent> events = new CopyOnWriteArrayList<>();
        try (RecordingStream stream = stream(true, events)) {
            send("timeline-1");
            await().atMost(Duration.ofSeconds(30)).until(() -> !events.isEmpty());
        }

        assertThat(events).hasSize(1);
        RecordedEvent event = events.get(0);
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
        // A plain recording, dumped until both events are in it: a recording stream opened just before the
        // first request was seen to miss that request's event and to deliver the second's twice.
        Map<String, RecordedEvent> byId = new ConcurrentHashMap<>();
        try (Recording recording = new Recording()) {
            recording.enable(RequestTimelineEvent.NAME);
            recording.start();
            // A backend no request went to yet: the first request needs a new connection, the second reuses it.
            send("fresh", "connect-1");
            send("fresh", "connect-2");
            Path dump = dir.resolve("timeline.jfr");
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
                recording.dump(dump);
                RecordingFile.readAllEvents(dump).forEach(e -> byId.put(e.getString("requestId"), e));
                return byId.keySet().containsAll(List.of("connect-1", "connect-2"));
            });
        }

        RecordedEvent first = byId.get("connect-1");
        RecordedEvent second = byId.get("connect-2");
        assertThat(first.getString("cluster")).isEqualTo(FRESH_CLUSTER);
        long firstConnect = first.getDuration("connectNanos").toNanos();
        assertThat(firstConnect).isPositive()
                .isLessThanOrEqualTo(first.getDuration("acquireNanos").toNanos());
        assertThat(second.getDuration("connectNanos").toNanos()).isZero();
        assertThat(second.getDuration("acquireNanos").toNanos()).isNotNegative()
                .isLessThanOrEqualTo(second.getDuration("upstreamNanos").toNanos());
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
