package dev.meshgate.proxy.route;

import static dev.meshgate.proxy.route.Views.cluster;
import static dev.meshgate.proxy.route.Views.endpoint;
import static dev.meshgate.proxy.route.Views.outbound;
import static dev.meshgate.proxy.route.Views.vhost;
import static dev.meshgate.proxy.route.Views.view;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import dev.meshgate.core.view.FaultSpec;
import dev.meshgate.core.view.HeaderOps;
import dev.meshgate.core.view.RouteSpec;
import dev.meshgate.core.view.RouteSpec.RouteAction;
import dev.meshgate.core.view.RouteSpec.WeightedCluster;
import dev.meshgate.proxy.testapp.Backend;
import dev.meshgate.proxy.testapp.OutboundHttpClient;
import dev.meshgate.proxy.testapp.TestListenerBinding;
import dev.meshgate.proxy.testapp.TestProxyApplication;

import reactor.blockhound.BlockHound;

/** {@code http[].fault} through a real proxy: delays and aborts on real sockets. */
@SpringBootTest(classes = TestProxyApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.address=127.0.0.1", "spring.main.banner-mode=off"})
class FaultInjectionSocketTest {

    private static final String FLAGS = "x-meshgate-response-flags";
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
        BlockHound.install();
        web = new Backend("web");
    }

    @AfterAll
    static void stopBackend() {
        web.close();
    }

    @BeforeEach
    void setUp() {
        binding.bind(port, "outbound");
        client = OutboundHttpClient.through(port);
    }

    private void applyFault(FaultSpec fault) throws ViewRejectedException {
        RouteSpec route = new RouteSpec("default.web.0", null, List.of(),
                new RouteAction(List.of(new WeightedCluster("web", 100, null, null))), null, null, null,
                HeaderOps.NONE, HeaderOps.NONE, 0, null, fault, List.of(), null);
        table.apply(view("f" + versions.incrementAndGet(),
                List.of(outbound(vhost("web", List.of("web"), route))),
                List.of(cluster("web", endpoint("127.0.0.1", web.port())))));
    }

    private HttpResponse<String> get() throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create("http://web/")).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void abortAnswersTheStatusFlaggedFIWithoutReachingTheUpstream() throws Exception {
        applyFault(new FaultSpec(null, new FaultSpec.Abort(503, 100)));
        int before = web.requests();

        HttpResponse<String> response = get();

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue(FLAGS)).hasValue("FI");
        assertThat(response.body()).isEqualTo("meshgate: fault filter abort (FI)\n");
        assertThat(web.requests()).isEqualTo(before);
    }

    @Test
    void abortAtHalfTheRequestsAbortsAboutHalf() throws Exception {
        applyFault(new FaultSpec(null, new FaultSpec.Abort(500, 50)));
        int n = 400;
        int aborted = 0;
        for (int i = 0; i < n; i++) {
            HttpResponse<String> response = get();
            if (response.statusCode() == 500) {
                assertThat(response.headers().firstValue(FLAGS)).hasValue("FI");
                aborted++;
            } else {
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(response.headers().firstValue(FLAGS)).isEmpty();
            }
        }
        // Binomial(400, 0.5): mean 200, sd 10; [160, 240] is +-4 sd, while 0 %, 100 % or 25 % fall far outside.
        assertThat(aborted).isBetween(160, 240);
    }

    @Test
    void delayHoldsTheRequestForTheFixedDelayThenForwardsItFlaggedDI() throws Exception {
        applyFault(new FaultSpec(new FaultSpec.Delay(800, 100), null));
        long started = System.nanoTime();

        HttpResponse<String> response = get();

        long millis = (System.nanoTime() - started) / 1_000_000;
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("web");
        assertThat(response.headers().firstValue(FLAGS)).hasValue("DI");
        assertThat(millis).isGreaterThanOrEqualTo(800);
    }

    @Test
    void delayedRequestsWaitOnATimerNotOnAThread() throws Exception {
        // 32 concurrent requests delayed by 1 s each: a delay that held a thread would serialize them on the
        // proxy's few event-loop threads (BlockHound would also fail a sleep there).
        applyFault(new FaultSpec(new FaultSpec.Delay(1000, 100), null));
        long started = System.nanoTime();
        List<CompletableFuture<HttpResponse<String>>> pending = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            pending.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://web/"))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> response : pending) {
            assertThat(response.get().statusCode()).isEqualTo(200);
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        assertThat(millis).isBetween(1000L, 15_000L);
    }

    @Test
    void delayThenAbortIsFlaggedDIAndFI() throws Exception {
        applyFault(new FaultSpec(new FaultSpec.Delay(300, 100), new FaultSpec.Abort(429, 100)));
        int before = web.requests();
        long started = System.nanoTime();

        HttpResponse<String> response = get();

        assertThat((System.nanoTime() - started) / 1_000_000).isGreaterThanOrEqualTo(300);
        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(response.headers().firstValue(FLAGS)).hasValue("DI,FI");
        assertThat(web.requests()).isEqualTo(before);
    }

    @Test
    void zeroPercentInjectsNothing() throws Exception {
        applyFault(new FaultSpec(new FaultSpec.Delay(5000, 0), new FaultSpec.Abort(500, 0)));
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> response = get();
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue(FLAGS)).isEmpty();
        }
    }

    @Test
    void outOfRangeValuesRejectTheViewNamingTheField() {
        assertThatThrownBy(() -> applyFault(new FaultSpec(null, new FaultSpec.Abort(500, 120))))
                .isInstanceOf(ViewRejectedException.class)
                .hasMessageContaining("route default.web.0 fault.abort.percentage: 120.0 (expected: 0..100)");
        assertThatThrownBy(() -> applyFault(new FaultSpec(null, new FaultSpec.Abort(700, 10))))
                .hasMessageContaining("fault.abort.httpStatus: 700");
        assertThatThrownBy(() -> applyFault(new FaultSpec(new FaultSpec.Delay(0, 10), null)))
                .hasMessageContaining("fault.delay.fixedDelay: 0ms");
    }
}
