package dev.meshgate.proxy.mirror;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

import dev.meshgate.core.view.ClusterSpec;
import dev.meshgate.core.view.EndpointSpec;
import dev.meshgate.proxy.cluster.ClusterRuntime;
import dev.meshgate.proxy.cluster.ClusterSet;

import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/** The mirror client's bounds, against a real server that never answers. */
class MirrorClientTest {

    private final AtomicInteger received = new AtomicInteger();
    private DisposableServer hanging;
    private ClusterRuntime cluster;

    @BeforeEach
    void startHangingServer() {
        hanging = HttpServer.create().host("127.0.0.1").port(0)
                .handle((req, res) -> {
                    received.incrementAndGet();
                    return Mono.never();
                })
                .bindNow();
        ClusterSpec spec = new ClusterSpec("hanging", "hanging", 80, null, ClusterSpec.Discovery.STATIC,
                List.of(new EndpointSpec("127.0.0.1", hanging.port(), Map.of(), 1, null, null)));
        cluster = ClusterSet.of(ClusterSet.EMPTY, List.of(spec)).get("hanging");
    }

    @AfterEach
    void stop() {
        hanging.disposeNow();
    }

    private static MockServerWebExchange exchange() {
        return MockServerWebExchange.from(MockServerHttpRequest.get("http://web/x").header("Host", "web"));
    }

    @Test
    void copiesBeyondTheInFlightBoundAreDroppedNotQueued() {
        MirrorClient client = new MirrorClient(3, Duration.ofSeconds(30));
        for (int i = 0; i < 10; i++) {
            MockServerWebExchange exchange = exchange();
            client.send(MirrorRequest.of(exchange.getRequest(), new byte[0]), cluster, exchange);
        }

        assertThat(client.sent()).isEqualTo(3);
        assertThat(client.dropped()).isEqualTo(7);
        assertThat(client.inFlight()).isEqualTo(3);
        await().atMost(Duration.ofSeconds(10)).until(() -> received.get() == 3);
    }

    @Test
    void aMirrorClusterAtItsBoundDoesNotStarveAnotherMirrorCluster() {
        MirrorClient client = new MirrorClient(2, Duration.ofSeconds(30));
        ClusterSpec other = new ClusterSpec("other", "other", 80, null, ClusterSpec.Discovery.STATIC,
                List.of(new EndpointSpec("127.0.0.1", hanging.port(), Map.of(), 1, null, null)));
        ClusterRuntime otherCluster = ClusterSet.of(ClusterSet.EMPTY, List.of(other)).get("other");
        for (int i = 0; i < 4; i++) {
            MockServerWebExchange exchange = exchange();
            client.send(MirrorRequest.of(exchange.getRequest(), new byte[0]), cluster, exchange);
        }
        MockServerWebExchange exchange = exchange();
        client.send(MirrorRequest.of(exchange.getRequest(), new byte[0]), otherCluster, exchange);

        assertThat(client.dropped()).isEqualTo(2);
        assertThat(client.sent()).isEqualTo(3);
        await().atMost(Duration.ofSeconds(10)).until(() -> received.get() == 3);
    }

    @Test
    void aCopyThatGetsNoAnswerIsAbandonedAfterTheTimeout() {
        MirrorClient client = new MirrorClient(3, Duration.ofMillis(500));
        MockServerWebExchange exchange = exchange();
        client.send(MirrorRequest.of(exchange.getRequest(), new byte[0]), cluster, exchange);

        assertThat(client.inFlight()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> client.inFlight() == 0);
        assertThat(client.failed()).isEqualTo(1);
        assertThat(cluster.endpoints().get(0).activeRequests()).isZero();
    }

    @Test
    void shadowHostIsSuffixedBeforeThePort() {
        assertThat(MirrorRequest.shadowHost("web")).isEqualTo("web-shadow");
        assertThat(MirrorRequest.shadowHost("web:8080")).isEqualTo("web-shadow:8080");
        assertThat(MirrorRequest.shadowHost("web.default.svc.cluster.local:80"))
                .isEqualTo("web.default.svc.cluster.local-shadow:80");
        assertThat(MirrorRequest.shadowHost("[::1]:80")).isEqualTo("[::1]-shadow:80");
        assertThat(MirrorRequest.shadowHost("[::1]")).isEqualTo("[::1]-shadow");
    }

    @Test
    void theCopyLeavesHopByHopHeadersBehind() {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.post("http://web/x?a=b")
                .header("Host", "web:9080").header("Connection", "keep-alive").header("Proxy-Connection", "x")
                .header("x-trace", "1", "2"));
        MirrorRequest copy = MirrorRequest.of(exchange.getRequest(), "body".getBytes());

        assertThat(copy.pathAndQuery()).isEqualTo("/x?a=b");
        assertThat(copy.headers().get("host")).isEqualTo("web-shadow:9080");
        assertThat(copy.headers().get("content-length")).isEqualTo("4");
        assertThat(copy.headers().getAll("x-trace")).containsExactly("1", "2");
        assertThat(copy.headers().contains("connection")).isFalse();
        assertThat(copy.headers().contains("proxy-connection")).isFalse();
    }
}
