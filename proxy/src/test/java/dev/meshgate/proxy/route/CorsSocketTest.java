package dev.meshgate.proxy.route;

import static dev.meshgate.proxy.route.Views.cluster;
import static dev.meshgate.proxy.route.Views.endpoint;
import static dev.meshgate.proxy.route.Views.exact;
import static dev.meshgate.proxy.route.Views.outbound;
import static dev.meshgate.proxy.route.Views.prefix;
import static dev.meshgate.proxy.route.Views.regex;
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
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import dev.meshgate.core.view.CorsSpec;
import dev.meshgate.core.view.HeaderOps;
import dev.meshgate.core.view.RouteSpec;
import dev.meshgate.core.view.RouteSpec.RouteAction;
import dev.meshgate.core.view.RouteSpec.WeightedCluster;
import dev.meshgate.proxy.testapp.Backend;
import dev.meshgate.proxy.testapp.OutboundHttpClient;
import dev.meshgate.proxy.testapp.TestListenerBinding;
import dev.meshgate.proxy.testapp.TestProxyApplication;

import reactor.blockhound.BlockHound;

/** {@code http[].corsPolicy} through a real proxy: preflights answered or forwarded, CORS response headers. */
@SpringBootTest(classes = TestProxyApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.address=127.0.0.1", "spring.main.banner-mode=off"})
class CorsSocketTest {

    private static final AtomicInteger versions = new AtomicInteger();
    private static final CorsSpec POLICY = new CorsSpec(
            List.of(exact("https://app.example.com"), prefix("https://dev-"), regex("https://.*\\.trusted\\.org")),
            List.of("GET", "POST"), List.of("x-custom", "content-type"), List.of("x-backend"), 3600, true, true);

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

    private void applyCors(@Nullable CorsSpec cors) throws ViewRejectedException {
        RouteSpec route = new RouteSpec("default.web.0", null, List.of(),
                new RouteAction(List.of(new WeightedCluster("web", 100, null, null))), null, null, null,
                HeaderOps.NONE, HeaderOps.NONE, 0, null, null, List.of(), cors);
        table.apply(view("c" + versions.incrementAndGet(),
                List.of(outbound(vhost("web", List.of("web"), route))),
                List.of(cluster("web", endpoint("127.0.0.1", web.port())))));
    }

    private HttpResponse<String> preflight(String origin) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create("http://web/api"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", origin)
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "x-custom")
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String origin) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create("http://web/api")).header("Origin", origin)
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static @Nullable String header(HttpResponse<?> response, String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    @Test
    void preflightFromAnAllowedOriginIsAnsweredByTheProxy() throws Exception {
        applyCors(POLICY);
        for (String origin : List.of("https://app.example.com", "https://dev-42.example.com",
                "https://api.trusted.org")) {
            int before = web.requests();

            HttpResponse<String> response = preflight(origin);

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(header(response, "x-backend")).as("answered by the backend").isNull();
            assertThat(web.requests()).isEqualTo(before);
            assertThat(header(response, "access-control-allow-origin")).isEqualTo(origin);
            assertThat(header(response, "access-control-allow-methods")).isEqualTo("GET,POST");
            assertThat(header(response, "access-control-allow-headers")).isEqualTo("x-custom,content-type");
            assertThat(header(response, "access-control-max-age")).isEqualTo("3600");
            assertThat(header(response, "access-control-allow-credentials")).isEqualTo("true");
            assertThat(header(response, "access-control-expose-headers")).isNull();
        }
    }

    @Test
    void preflightFromAnotherOriginIsForwardedWithoutCorsHeadersByDefault() throws Exception {
        applyCors(POLICY);
        int before = web.requests();

        HttpResponse<String> response = preflight("https://evil.example.com");

        assertThat(header(response, "x-backend")).isEqualTo("web");
        assertThat(header(response, "x-echo-access-control-request-method")).isEqualTo("POST");
        assertThat(web.requests()).isEqualTo(before + 1);
        assertThat(header(response, "access-control-allow-origin")).isNull();
    }

    @Test
    void preflightFromAnotherOriginIsAnsweredWithoutCorsHeadersWhenUnmatchedPreflightsAreIgnored() throws Exception {
        applyCors(new CorsSpec(POLICY.allowOrigins(), POLICY.allowMethods(), POLICY.allowHeaders(),
                POLICY.exposeHeaders(), 3600, true, false));
        int before = web.requests();

        HttpResponse<String> response = preflight("https://evil.example.com");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(header(response, "x-backend")).isNull();
        assertThat(web.requests()).isEqualTo(before);
        assertThat(response.headers().map().keySet()).noneMatch(name -> name.startsWith("access-control-"));
    }

    @Test
    void routeWithoutCorsPolicyForwardsPreflights() throws Exception {
        applyCors(null);

        HttpResponse<String> response = preflight("https://app.example.com");

        assertThat(header(response, "x-backend")).isEqualTo("web");
        assertThat(response.headers().map().keySet()).noneMatch(name -> name.startsWith("access-control-"));
    }

    @Test
    void actualRequestFromAnAllowedOriginGetsAllowOriginExposeHeadersAndCredentials() throws Exception {
        applyCors(POLICY);

        HttpResponse<String> response = get("https://app.example.com");

        assertThat(response.body()).isEqualTo("web");
        assertThat(header(response, "access-control-allow-origin")).isEqualTo("https://app.example.com");
        assertThat(header(response, "access-control-expose-headers")).isEqualTo("x-backend");
        assertThat(header(response, "access-control-allow-credentials")).isEqualTo("true");
        assertThat(header(response, "access-control-allow-methods")).isNull();
    }

    @Test
    void actualRequestFromAnotherOriginGetsNoCorsHeaders() throws Exception {
        applyCors(POLICY);

        HttpResponse<String> response = get("https://app.example.com.evil.net");

        assertThat(response.body()).isEqualTo("web");
        assertThat(response.headers().map().keySet()).noneMatch(name -> name.startsWith("access-control-"));
    }

    @Test
    void wildcardOriginAllowsEveryOriginAndEchoesIt() throws Exception {
        applyCors(new CorsSpec(List.of(exact("*")), List.of("GET"), List.of(), List.of(), -1, null, true));

        HttpResponse<String> response = preflight("https://anyone.example");

        assertThat(header(response, "x-backend")).isNull();
        assertThat(header(response, "access-control-allow-origin")).isEqualTo("https://anyone.example");
        assertThat(header(response, "access-control-max-age")).isNull();
        assertThat(header(response, "access-control-allow-credentials")).isNull();
    }

    @Test
    void aHostileOriginAgainstACatastrophicOriginRegexIsAnsweredAtOnce() throws Exception {
        // RE2 semantics: a backtracking engine would try ~n^12 splits of the origin before failing.
        applyCors(new CorsSpec(List.of(regex("(.*a){12}")), List.of(), List.of(), List.of(), -1, null, true));

        long start = System.nanoTime();
        HttpResponse<String> response = get("a".repeat(3_000) + "!");

        // Generous against a loaded machine: a backtracker would not finish at all.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(header(response, "access-control-allow-origin")).isNull();
        assertThat(header(get("a".repeat(12)), "access-control-allow-origin")).isEqualTo("a".repeat(12));
    }

    @Test
    void originRegexThatDoesNotCompileRejectsTheView() {
        assertThatThrownBy(() -> applyCors(new CorsSpec(List.of(exact("https://a"), regex("(")), List.of(),
                List.of(), List.of(), -1, null, true)))
                .isInstanceOf(ViewRejectedException.class)
                .hasMessageContaining("route default.web.0 corsPolicy.allowOrigins[1]: invalid regex \"(\": missing closing )");
    }
}
