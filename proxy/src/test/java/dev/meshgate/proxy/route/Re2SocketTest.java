package dev.meshgate.proxy.route;

import static dev.meshgate.proxy.route.Views.cluster;
import static dev.meshgate.proxy.route.Views.endpoint;
import static dev.meshgate.proxy.route.Views.match;
import static dev.meshgate.proxy.route.Views.outbound;
import static dev.meshgate.proxy.route.Views.regex;
import static dev.meshgate.proxy.route.Views.route;
import static dev.meshgate.proxy.route.Views.vhost;
import static dev.meshgate.proxy.route.Views.view;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import dev.meshgate.proxy.testapp.OutboundHttpClient;
import dev.meshgate.proxy.testapp.TestListenerBinding;
import dev.meshgate.proxy.testapp.TestProxyApplication;

import reactor.blockhound.BlockHound;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * Istio's regexes are RE2 on the wire: a catastrophic-backtracking pattern meets a hostile client value and the
 * proxy still answers at once, with the right route. The proxy and the backends accept headers up to 128 KB and
 * request lines up to 16 KB here (Envoy's own header limit is 60 KiB) so that the hostile values reach the route
 * match and the answer shows which route took them.
 */
@SpringBootTest(classes = TestProxyApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.address=127.0.0.1", "spring.main.banner-mode=off",
                "server.max-http-request-header-size=128KB", "server.netty.max-initial-line-length=16KB"})
class Re2SocketTest {

    /** The textbook catastrophic pattern: a backtracker tries ~2^n splits of n a's before a mismatch. */
    private static final String NESTED = "^(a+)+$";
    /**
     * A backtracker tries ~n^12 splits of n a's before a mismatch. The JDK's regex memoizes {@code (a+)+} but not
     * this: on Java 17 here it took 1 s for 20 a's and did not finish in 200 s for 40.
     */
    private static final String POLYNOMIAL = "(.*a){12}";
    /**
     * Far more than a request takes (a few hundred milliseconds through the proxy at load 40-60), far less than a
     * backtracker would take on the hostile values below: it would not finish at all.
     */
    private static final Duration AT_ONCE = Duration.ofSeconds(10);

    private static DisposableServer v1;
    private static DisposableServer v2;

    @LocalServerPort
    int port;

    @Autowired
    MeshRouteTable table;

    @Autowired
    TestListenerBinding binding;

    private HttpClient client;

    @BeforeAll
    static void startBackends() {
        BlockHound.install();
        v1 = backend("v1");
        v2 = backend("v2");
    }

    /** A backend that answers its name and takes large headers and request lines. */
    private static DisposableServer backend(String name) {
        return HttpServer.create().host("127.0.0.1").port(0)
                .httpRequestDecoder(spec -> spec.maxHeaderSize(128 * 1024).maxInitialLineLength(16 * 1024))
                .handle((req, res) -> res.sendString(Mono.just(name)))
                .bindNow();
    }

    @AfterAll
    static void stopBackends() {
        v1.disposeNow();
        v2.disposeNow();
    }

    @BeforeEach
    void setUp() throws ViewRejectedException {
        binding.bind(port, "outbound");
        client = OutboundHttpClient.through(port);
        table.apply(view("re2", List.of(outbound(vhost("web", List.of("web"),
                route("r.nested", "web-v2", match().header("x-token", regex(NESTED))),
                route("r.polynomial", "web-v2", match().header("x-poly", regex(POLYNOMIAL))),
                route("r.query", "web-v2", match().query("q", regex(POLYNOMIAL))),
                route("r.uri", "web-v2", match().uri(regex("/" + POLYNOMIAL))),
                route("r.named", "web-v2", match().uri(regex("/v(?P<major>[0-9]+)/items"))),
                route("r.default", "web-v1")))),
                List.of(cluster("web-v1", endpoint("127.0.0.1", v1.port())),
                        cluster("web-v2", endpoint("127.0.0.1", v2.port())))));
    }

    private String backendOf(String url, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        HttpResponse<String> response = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("status: %s", response.body()).isEqualTo(200);
        return response.body();
    }

    /** Wall-clock time of one request, checking which backend answered it. */
    private Duration timed(String expectedBackend, String url, String... headers) throws Exception {
        long start = System.nanoTime();
        assertThat(backendOf(url, headers)).isEqualTo(expectedBackend);
        return Duration.ofNanos(System.nanoTime() - start);
    }

    @Test
    void aHostileHeaderAgainstACatastrophicRegexIsAnsweredAtOnceByTheRightRoute() throws Exception {
        assertThat(backendOf("http://web/", "x-token", "aaaa")).isEqualTo("v2");

        Duration took = timed("v1", "http://web/", "x-token", "a".repeat(50_000) + "!");

        assertThat(took).isLessThan(AT_ONCE);
        // The same value without the mismatch matches: the regex really ran on all 50,000 characters.
        assertThat(backendOf("http://web/", "x-token", "a".repeat(50_000))).isEqualTo("v2");
    }

    @Test
    void aHostileHeaderPathOrQueryAgainstAPolynomialRegexIsAnsweredAtOnce() throws Exception {
        String hostile = "a".repeat(5_000) + "!";

        assertThat(timed("v1", "http://web/", "x-poly", hostile)).isLessThan(AT_ONCE);
        assertThat(timed("v1", "http://web/" + hostile)).isLessThan(AT_ONCE);
        assertThat(timed("v1", "http://web/x?q=" + hostile)).isLessThan(AT_ONCE);

        String matching = "a".repeat(5_000);
        assertThat(backendOf("http://web/", "x-poly", matching)).isEqualTo("v2");
        assertThat(backendOf("http://web/" + matching)).isEqualTo("v2");
        assertThat(backendOf("http://web/x?q=" + matching)).isEqualTo("v2");
    }

    @Test
    void re2NamedGroupsRouteAndRegexesMatchTheWholeValue() throws Exception {
        assertThat(backendOf("http://web/v12/items")).isEqualTo("v2");
        assertThat(backendOf("http://web/v12/items/more")).isEqualTo("v1");
        assertThat(backendOf("http://web/x/v12/items")).isEqualTo("v1");
        assertThat(backendOf("http://web/", "x-token", "aab")).isEqualTo("v1");
    }
}
