package dev.meshgate.proxy.route;

import static dev.meshgate.proxy.route.Views.cluster;
import static dev.meshgate.proxy.route.Views.endpoint;
import static dev.meshgate.proxy.route.Views.route;
import static dev.meshgate.proxy.route.Views.vhost;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

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

import dev.meshgate.core.view.ListenerSpec;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.proxy.testapp.Backend;
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

    private static Backend web;

    @LocalServerPort
    int port;

    @Autowired
    MeshRouteTable table;

    @Autowired
    TestListenerBinding binding;

    @TempDir
    Path dir;

    private HttpClient client;

    @BeforeAll
    static void start() {
        web = new Backend("web-body");
    }

    @AfterAll
    static void stop() {
        web.close();
    }

    @BeforeEach
    void setUp() throws Exception {
        binding.bind(port, "outbound");
        table.apply(new ProxyView("t1", "snap", List.of(new ListenerSpec("outbound", 0, ListenerSpec.Direction.OUTBOUND,
                List.of(vhost("web.default.svc.cluster.local:80", List.of("web"), route("default.web.0", CLUSTER))))),
                List.of(cluster(CLUSTER, endpoint("127.0.0.1", web.port()))),
                ProxyView.OutboundTrafficPolicy.ALLOW_ANY, null, null, null));
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", port)))
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    private void send(String requestId) throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://web/items"))
                .header("x-request-id", requestId).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
    }

    private List<RecordedEvent> record(boolean enabled, String requestId) throws Exception {
        Path file = dir.resolve(requestId + ".jfr");
        try (Recording recording = new Recording()) {
            if (enabled) {
                recording.enable(RequestTimelineEvent.NAME);
            }
            // Something the recording always holds, so that an empty file is not mistaken for no events.
            recording.enable("jdk.JVMInformation");
            recording.start();
            send(requestId);
            recording.stop();
            recording.dump(file);
        }
        assertThat(Files.size(file)).isPositive();
        return RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals(RequestTimelineEvent.NAME)).toList();
    }

    @Test
    void aRecordingThatEnablesTheEventGetsOnePerRequestWithItsPhases() throws Exception {
        List<RecordedEvent> events = record(true, "timeline-1");

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
    }

    @Test
    void withoutARecordingThatEnablesItNoEventIsCommitted() throws Exception {
        assertThat(record(false, "timeline-2")).isEmpty();
    }
}
