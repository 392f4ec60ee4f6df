package dev.meshgate.proxy.route;

import static dev.meshgate.proxy.route.Views.cluster;
import static dev.meshgate.proxy.route.Views.endpoint;
import static dev.meshgate.proxy.route.Views.exact;
import static dev.meshgate.proxy.route.Views.gateway;
import static dev.meshgate.proxy.route.Views.match;
import static dev.meshgate.proxy.route.Views.outbound;
import static dev.meshgate.proxy.route.Views.prefix;
import static dev.meshgate.proxy.route.Views.regex;
import static dev.meshgate.proxy.route.Views.route;
import static dev.meshgate.proxy.route.Views.vhost;
import static dev.meshgate.proxy.route.Views.view;
import static dev.meshgate.proxy.route.Views.weighted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
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
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.handler.RoutePredicateHandlerMapping;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.reactive.HandlerAdapter;
import org.springframework.web.reactive.HandlerResult;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

import dev.meshgate.core.view.ClusterSpec;
import dev.meshgate.core.view.EndpointSpec;
import dev.meshgate.core.view.HeaderOps;
import dev.meshgate.core.view.ListenerSpec;
import dev.meshgate.core.view.LoadBalancerSpec;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.view.RouteSpec;
import dev.meshgate.core.view.RouteSpec.WeightedCluster;
import dev.meshgate.core.view.TrafficPolicySpec;
import dev.meshgate.proxy.testapp.Backend;
import dev.meshgate.proxy.testapp.OutboundHttpClient;
import dev.meshgate.proxy.testapp.TestListenerBinding;
import dev.meshgate.proxy.testapp.TestProxyApplication;
import dev.meshgate.testing.FreePorts;

import reactor.blockhound.BlockHound;
import reactor.core.publisher.Mono;

/** Real sockets: a proxy app, real backends, real HTTP clients (absolute-form through the proxy). */
@SpringBootTest(classes = {TestProxyApplication.class, MeshRoutingSocketTest.DispatcherProbes.class},
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.address=127.0.0.1", "spring.main.banner-mode=off"})
class MeshRoutingSocketTest {

    private static Backend v1;
    private static Backend v2;
    private static Backend v1b;
    private static final AtomicInteger versions = new AtomicInteger();

    @LocalServerPort
    int port;

    @Autowired
    MeshRouteTable table;

    @Autowired
    TestListenerBinding binding;

    @Autowired
    ApplicationContext context;

    private HttpClient client;

    @BeforeAll
    static void startBackends() {
        // Fails any blocking call made on a reactor thread (the request path) from here on.
        BlockHound.install();
        v1 = new Backend("v1");
        v2 = new Backend("v2", Map.of("x-drop-me", "1"));
        v1b = new Backend("v1b");
    }

    @AfterAll
    static void stopBackends() {
        v1.close();
        v2.close();
        v1b.close();
    }

    @BeforeEach
    void setUp() {
        binding.bind(port, "outbound");
        client = OutboundHttpClient.through(port);
    }

    private static String nextVersion() {
        return "t" + versions.incrementAndGet();
    }

    private List<ClusterSpec> clusters() {
        return List.of(cluster("web-v1", endpoint("127.0.0.1", v1.port())),
                cluster("web-v2", endpoint("127.0.0.1", v2.port())));
    }

    private void apply(ProxyView.OutboundTrafficPolicy policy, List<ClusterSpec> clusters, ListenerSpec... listeners)
            throws ViewRejectedException {
        table.apply(view(nextVersion(), List.of(listeners), clusters, policy));
    }

    private void apply(ListenerSpec... listeners) throws ViewRejectedException {
        apply(ProxyView.OutboundTrafficPolicy.ALLOW_ANY, clusters(), listeners);
    }

    private static List<String> webDomains() {
        return List.of("web", "web:80", "web.default.svc.cluster.local");
    }

    /** GET through the proxy: the request line is absolute-form, {@code GET http://host/path HTTP/1.1}. */
    private HttpResponse<String> get(String url, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String backendOf(String url, String... headers) throws IOException, InterruptedException {
        HttpResponse<String> response = get(url, headers);
        assertThat(response.statusCode()).as("status of %s: %s", url, response.body()).isEqualTo(200);
        return response.body();
    }

    @Test
    void onlyTheMeshHandlerMappingServes() {
        assertThat(context.getBeansOfType(RoutePredicateHandlerMapping.class).values())
                .singleElement().isInstanceOf(MeshRoutePredicateHandlerMapping.class);
    }

    @Test
    void aMeshListenersRequestIsRunByItsRouteWithoutSpringsDispatcherAndOtherPortsStillReachIt() throws Exception {
        apply(outbound(vhost("web", webDomains(), route("r", "web-v1"))));
        askedAdapters.clear();
        assertThat(backendOf("http://web/other-port")).isEqualTo("v1");
        // The route ran in the mesh's last WebFilter: Spring's dispatcher never looked for a handler adapter.
        assertThat(askedAdapters).isEmpty();
        binding.unbind(port);
        HttpResponse<String> other = get("http://web/other-port");
        assertThat(other.body()).isEqualTo("dispatched");
        assertThat(askedAdapters).singleElement().isInstanceOf(HandlerFunction.class);
    }

    @Test
    void anErrorEndingAMeshRoutesHandlerIsAnsweredWithoutTheContentHeadersTheRouteHadSet() throws Exception {
        apply(outbound(vhost("web", webDomains(), route("r", "web-v1"))));
        HttpResponse<String> failed = get("http://web/", FailingGlobalFilter.FAIL, "1");
        assertThat(failed.statusCode()).as(failed.body()).isEqualTo(500);
        // As through Spring's dispatcher, whose controller adapter clears them before the error handlers answer.
        assertThat(failed.headers().firstValue("content-encoding")).isEmpty();
        assertThat(failed.headers().firstValue("content-language")).isEmpty();
        assertThat(backendOf("http://web/")).isEqualTo("v1");
    }

    /** The handlers Spring's dispatcher asked a handler adapter about. */
    private static final List<Object> askedAdapters = new java.util.concurrent.CopyOnWriteArrayList<>();

    @TestConfiguration
    static class DispatcherProbes {

        /** A handler an application serves on a port that is no mesh listener. */
        @Bean
        RouterFunction<ServerResponse> otherPortRoute() {
            return RouterFunctions.route(RequestPredicates.GET("/other-port"),
                    request -> ServerResponse.ok().bodyValue("dispatched"));
        }

        /** Asked first by the dispatcher for every handler it found; handles none. */
        @Bean
        HandlerAdapter recordingHandlerAdapter() {
            return new RecordingHandlerAdapter();
        }

        @Bean
        GlobalFilter failingGlobalFilter() {
            return new FailingGlobalFilter();
        }
    }

    static final class RecordingHandlerAdapter implements HandlerAdapter, Ordered {

        @Override
        public boolean supports(Object handler) {
            askedAdapters.add(handler);
            return false;
        }

        @Override
        public Mono<HandlerResult> handle(ServerWebExchange exchange, Object handler) {
            return Mono.error(new IllegalStateException("supports nothing"));
        }

        @Override
        public int getOrder() {
            return Ordered.HIGHEST_PRECEDENCE;
        }
    }

    /** Ends a request that asks for it with an error after setting content headers, before any mesh filter. */
    static final class FailingGlobalFilter implements GlobalFilter, Ordered {

        static final String FAIL = "x-test-fail";

        @Override
        public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
            if (exchange.getRequest().getHeaders().getFirst(FAIL) == null) {
                return chain.filter(exchange);
            }
            exchange.getResponse().getHeaders().set("content-encoding", "gzip");
            exchange.getResponse().getHeaders().set("content-language", "de");
            return Mono.error(new IllegalStateException("failed on purpose"));
        }

        @Override
        public int getOrder() {
            return Ordered.HIGHEST_PRECEDENCE;
        }
    }

    @Test
    void blockHoundRejectsBlockingCallsOnReactorThreads() {
        assertThatThrownBy(() -> reactor.core.publisher.Mono.delay(Duration.ofMillis(1))
                .doOnNext(tick -> {
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                })
                .block(Duration.ofSeconds(5)))
                .hasCauseInstanceOf(reactor.blockhound.BlockingOperationError.class);
    }

    @Test
    void eachRouteFilterChainIsSortedOnceWhenTheViewIsApplied() throws Exception {
        apply(outbound(vhost("web", webDomains(), route("r", "web-v1"))));
        var chain = table.chainOf(table.routes().get(0));
        assertThat(chain).isNotNull();
        assertThat(chain).extracting(f -> ((org.springframework.core.Ordered) f).getOrder()).isSorted();
        assertThat(chain.toString()).contains("Destination[web-v1=100", "NettyRoutingFilter", "UpstreamGlobalFilter")
                .doesNotContain("RouteToRequestUrlFilter", "ForwardRoutingFilter");
        assertThat(backendOf("http://web/")).isEqualTo("v1");
    }

    @Test
    void aClusterRoutesChainLeavesOutTheGatewaysFiltersItNeverUsesAndThePassThroughRouteKeepsItsWriter()
            throws Exception {
        apply(outbound(vhost("web", webDomains(), route("r", "web-v1"))));
        String cluster = table.chainOf(table.routes().get(0)).toString();
        String passthrough = table.chainOf(RouteTableCompiler.PASSTHROUGH).toString();
        assertThat(cluster).contains("UpstreamGlobalFilter")
                .doesNotContain("NettyWriteResponseFilter", "AdaptCachedBodyGlobalFilter", "RemoveCachedBodyFilter");
        assertThat(passthrough).contains("Passthrough", "NettyRoutingFilter", "NettyWriteResponseFilter")
                .doesNotContain("AdaptCachedBodyGlobalFilter", "RemoveCachedBodyFilter");
        assertThat(backendOf("http://web/")).isEqualTo("v1");
        // The pass-through route still writes what Spring Cloud Gateway's routing filter received.
        assertThat(backendOf("http://127.0.0.1:" + v2.port() + "/")).isEqualTo("v2");
    }

    @Test
    void routesByHeaderCookieQueryAndUri() throws Exception {
        apply(outbound(vhost("web", webDomains(),
                route("r.header", "web-v2", match().header("end-user", exact("jason"))),
                route("r.cookie", "web-v2", match().header("cookie", regex("^(.*?;)?(user=tester)(;.*)?$"))),
                route("r.query", "web-v2", match().query("canary", exact("yes"))),
                route("r.prefix", "web-v2", match().uri(prefix("/v2/"))),
                route("r.regex", "web-v2", match().uri(regex("/items/[0-9]+"))),
                route("r.default", "web-v1"))));
        assertThat(backendOf("http://web/")).isEqualTo("v1");
        assertThat(backendOf("http://web/", "end-user", "jason")).isEqualTo("v2");
        assertThat(backendOf("http://web/", "end-user", "jasonx")).isEqualTo("v1");
        assertThat(backendOf("http://web/", "cookie", "user=tester; theme=dark")).isEqualTo("v2");
        assertThat(backendOf("http://web/?canary=yes")).isEqualTo("v2");
        assertThat(backendOf("http://web/?canary=no")).isEqualTo("v1");
        assertThat(backendOf("http://web/v2/anything")).isEqualTo("v2");
        assertThat(backendOf("http://web/items/42")).isEqualTo("v2");
        assertThat(backendOf("http://web/items/42x")).isEqualTo("v1");
        assertThat(backendOf("http://web.default.svc.cluster.local/")).isEqualTo("v1");
    }

    @Test
    void hostHeaderWithoutProxySyntaxRoutesTooAndUpstreamSeesTheOriginalHostAndPathAndQuery() throws Exception {
        apply(outbound(vhost("web", webDomains(), route("r", "web-v1"))));
        var response = reactor.netty.http.client.HttpClient.create()
                .headers(h -> h.set("Host", "web").set("x-request-id", "fixed-id").set("Proxy-Connection", "keep-alive"))
                .get().uri("http://127.0.0.1:" + port + "/a/b%20c?x=1&y=%2F")
                .responseSingle((res, body) -> body.asString().map(b -> Map.entry(res, b)))
                .block(Duration.ofSeconds(10));
        assertThat(response.getValue()).isEqualTo("v1");
        assertThat(response.getKey().responseHeaders().get("x-seen-host")).isEqualTo("web");
        assertThat(response.getKey().responseHeaders().get("x-seen-path")).isEqualTo("/a/b%20c?x=1&y=%2F");
        assertThat(response.getKey().responseHeaders().get("x-echo-x-request-id")).isEqualTo("fixed-id");
        assertThat(response.getKey().responseHeaders().get("x-echo-x-forwarded-proto")).isEqualTo("http");
        assertThat(response.getKey().responseHeaders().get("x-echo-proxy-connection")).isNull();
    }

    @Test
    void aSidecarPassesForwardedHeadersThroughAndDropsHopByHopOnes() throws Exception {
        apply(outbound(vhost("web", webDomains(), route("r", "web-v1"))));
        var response = reactor.netty.http.client.HttpClient.create()
                .headers(h -> h.set("Host", "web")
                        .set("x-forwarded-for", "203.0.113.7")
                        .set("x-forwarded-proto", "https")
                        .set("forwarded", "for=203.0.113.7;proto=https")
                        .set("Connection", "keep-alive, x-hop-secret")
                        .set("x-hop-secret", "1")
                        .set("Keep-Alive", "timeout=5")
                        .set("TE", "trailers"))
                .get().uri("http://127.0.0.1:" + port + "/")
                .responseSingle((res, body) -> body.asString().map(b -> Map.entry(res, b)))
                .block(Duration.ofSeconds(10));
        var echoed = response.getKey().responseHeaders();
        assertThat(response.getValue()).isEqualTo("v1");
        assertThat(echoed.get("x-echo-x-forwarded-for")).isEqualTo("203.0.113.7");
        assertThat(echoed.get("x-echo-x-forwarded-proto")).isEqualTo("https");
        assertThat(echoed.get("x-echo-forwarded")).isEqualTo("for=203.0.113.7;proto=https");
        assertThat(echoed.get("x-echo-x-request-id")).isNotBlank();
        assertThat(echoed.get("x-echo-x-hop-secret")).isNull();
        assertThat(echoed.get("x-echo-keep-alive")).isNull();
        assertThat(echoed.get("x-echo-te")).isNull();
    }

    @Test
    void absoluteFormRequestsAddARequestId() throws Exception {
        apply(outbound(vhost("web", webDomains(), route("r", "web-v1"))));
        HttpResponse<String> response = get("http://web/x");
        assertThat(response.headers().firstValue("x-seen-host")).hasValue("web");
        assertThat(response.headers().firstValue("x-seen-path")).hasValue("/x");
        assertThat(response.headers().firstValue("x-echo-x-request-id").orElseThrow())
                .matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    }

    @Test
    void weightedDestinationsSplitTrafficWithinTolerance() throws Exception {
        apply(outbound(vhost("web", webDomains(),
                route("split", List.of(weighted("web-v1", 90), weighted("web-v2", 10))))));
        int n = 1000;
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < n; i++) {
            counts.merge(get("http://web/").body(), 1, Integer::sum);
        }
        // 10 % of 1000 = 100, standard deviation ~9.5: +-4 sigma
        assertThat(counts.get("v1") + counts.get("v2")).isEqualTo(n);
        assertThat(counts.get("v2")).isBetween(62, 138);
    }

    @Test
    void roundRobinsOverEndpointsAndKeepsItsPositionAcrossAnApplyWithTheSameCluster() throws Exception {
        var roundRobin = new TrafficPolicySpec(new LoadBalancerSpec(LoadBalancerSpec.Simple.ROUND_ROBIN, null), null,
                null);
        List<ClusterSpec> clusters = List.of(cluster("web-v1", roundRobin, endpoint("127.0.0.1", v1.port()),
                endpoint("127.0.0.1", v1b.port())), cluster("web-v2", endpoint("127.0.0.1", v2.port())));
        apply(ProxyView.OutboundTrafficPolicy.ALLOW_ANY, clusters,
                outbound(vhost("web", webDomains(), route("r", "web-v1"))));
        var runtime = table.cluster("web-v1");
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            seen.add(backendOf("http://web/"));
        }
        assertThat(seen.get(0)).isNotEqualTo(seen.get(1));
        assertThat(seen.get(2)).isEqualTo(seen.get(0));
        // A new view with a different route set but the same cluster spec.
        apply(ProxyView.OutboundTrafficPolicy.ALLOW_ANY, clusters,
                outbound(vhost("web", webDomains(), route("r2", "web-v2", match().uri(prefix("/two"))),
                        route("r", "web-v1"))));
        assertThat(table.cluster("web-v1")).isSameAs(runtime);
        // The round robin continues where it was instead of restarting at a random endpoint.
        assertThat(backendOf("http://web/")).isEqualTo(seen.get(0));
        assertThat(backendOf("http://web/")).isEqualTo(seen.get(1));
        assertThat(backendOf("http://web/two")).isEqualTo("v2");
    }

    @Test
    void headerOperationsApplyToRequestAndResponsePerRouteAndPerDestination() throws Exception {
        HeaderOps routeRequest = new HeaderOps(Map.of("x-set", "route"), Map.of("x-add", "route"), List.of("x-remove"));
        HeaderOps routeResponse = new HeaderOps(Map.of("x-resp-set", "route"), Map.of(), List.of("x-drop-me"));
        HeaderOps destRequest = new HeaderOps(Map.of("x-dest", "v2"), Map.of(), List.of());
        HeaderOps destResponse = new HeaderOps(Map.of(), Map.of("x-resp-dest", "v2"), List.of());
        RouteSpec r = new RouteSpec("r", null, List.of(),
                new RouteSpec.RouteAction(List.of(new WeightedCluster("web-v2", 100, destRequest, destResponse))),
                null, null, null, routeRequest, routeResponse);
        apply(outbound(vhost("web", webDomains(), r)));
        HttpResponse<String> response = get("http://web/", "x-set", "client", "x-add", "client", "x-remove", "gone");
        assertThat(response.body()).isEqualTo("v2");
        assertThat(response.headers().allValues("x-echo-x-set")).containsExactly("route");
        assertThat(response.headers().allValues("x-echo-x-add")).containsExactlyInAnyOrder("client", "route");
        assertThat(response.headers().firstValue("x-echo-x-remove")).isEmpty();
        assertThat(response.headers().firstValue("x-echo-x-dest")).hasValue("v2");
        assertThat(response.headers().firstValue("x-resp-set")).hasValue("route");
        assertThat(response.headers().firstValue("x-resp-dest")).hasValue("v2");
        assertThat(response.headers().firstValue("x-drop-me")).isEmpty();
    }

    @Test
    void aRequestCarryingTheMeshHeadersAlreadyIsForwardedWithItsHeadersAsReceivedOrAsTheRouteChangedThem()
            throws Exception {
        // The second hop of a mesh call: x-request-id and x-forwarded-proto are there, so the headers filter has
        // nothing to change and the received headers are copied as they are (Netty to Netty)...
        apply(outbound(vhost("web", webDomains(), route("r", "web-v1"))));
        HttpResponse<String> plain = get("http://web/", "x-request-id", "abc-1", "x-forwarded-proto", "http",
                "x-multi", "a", "x-multi", "b");
        assertThat(plain.body()).isEqualTo("v1");
        assertThat(plain.headers().allValues("x-echo-x-multi")).containsExactly("a", "b");
        assertThat(plain.headers().allValues("x-echo-x-request-id")).containsExactly("abc-1");
        // ...unless a route changed the request: then its changed headers go upstream, not the received ones.
        HeaderOps routeRequest = new HeaderOps(Map.of("x-set", "route"), Map.of(), List.of("x-remove"));
        RouteSpec r = new RouteSpec("r", null, List.of(),
                new RouteSpec.RouteAction(List.of(new WeightedCluster("web-v1", 100, null, null))),
                null, null, null, routeRequest, null);
        apply(outbound(vhost("web", webDomains(), r)));
        HttpResponse<String> changed = get("http://web/", "x-request-id", "abc-2", "x-forwarded-proto", "http",
                "x-set", "client", "x-remove", "gone");
        assertThat(changed.headers().allValues("x-echo-x-set")).containsExactly("route");
        assertThat(changed.headers().firstValue("x-echo-x-remove")).isEmpty();
        assertThat(changed.headers().allValues("x-echo-x-request-id")).containsExactly("abc-2");
    }

    @Test
    void headerValuesExpandEnvoyCommandsAtRequestTime() throws Exception {
        HeaderOps routeRequest = new HeaderOps(Map.of(
                "x-client", "%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%",
                "x-client-port", "%DOWNSTREAM_REMOTE_ADDRESS%",
                "x-local", "%DOWNSTREAM_LOCAL_ADDRESS%",
                "x-via", "%REQ(:authority)% %PROTOCOL% %HOSTNAME%",
                "x-user", "user=%REQ(end-user?x-fallback)%, 100%%"), Map.of(), List.of());
        HeaderOps routeResponse = new HeaderOps(Map.of(
                "x-upstream", "%UPSTREAM_REMOTE_ADDRESS%",
                "x-backend-was", "%RESP(x-backend)%",
                "x-asked-for", "%REQ(:PATH)%",
                "x-started", "%START_TIME(%s)%"), Map.of(), List.of());
        RouteSpec r = new RouteSpec("r", null, List.of(),
                new RouteSpec.RouteAction(List.of(weighted("web-v2", 100))), null, null, null, routeRequest,
                routeResponse);
        apply(outbound(vhost("web", webDomains(), r)));
        long before = System.currentTimeMillis() / 1000;
        HttpResponse<String> response = get("http://web/p?q=1", "x-fallback", "alice");
        long after = System.currentTimeMillis() / 1000;
        assertThat(response.body()).isEqualTo("v2");
        var headers = response.headers();
        assertThat(headers.firstValue("x-echo-x-client")).hasValue("127.0.0.1");
        assertThat(headers.firstValue("x-echo-x-client-port").orElseThrow()).matches("127\\.0\\.0\\.1:\\d+")
                .isNotEqualTo("127.0.0.1:" + port);
        assertThat(headers.firstValue("x-echo-x-local")).hasValue("127.0.0.1:" + port);
        assertThat(headers.firstValue("x-echo-x-via").orElseThrow()).startsWith("web HTTP/1.1 ").hasSizeGreaterThan(
                "web HTTP/1.1 ".length());
        assertThat(headers.firstValue("x-echo-x-user")).hasValue("user=alice, 100%");
        assertThat(headers.firstValue("x-upstream")).hasValue("127.0.0.1:" + v2.port());
        assertThat(headers.firstValue("x-backend-was")).hasValue("v2");
        assertThat(headers.firstValue("x-asked-for")).hasValue("/p?q=1");
        assertThat(Long.parseLong(headers.firstValue("x-started").orElseThrow())).isBetween(before, after);
    }

    @Test
    void aWeightedDestinationsSetLosesToTheRoutesAndALoneDestinationsWins() throws Exception {
        HeaderOps routeRequest = new HeaderOps(Map.of("x-who", "route"), Map.of(), List.of());
        HeaderOps destRequest = new HeaderOps(Map.of("x-who", "destination"), Map.of(), List.of());
        RouteSpec lone = new RouteSpec("r.lone", null, Views.matches(match().uri(prefix("/lone"))),
                new RouteSpec.RouteAction(List.of(new WeightedCluster("web-v1", 100, destRequest, null))), null, null,
                null, routeRequest, null);
        RouteSpec split = new RouteSpec("r.split", null, List.of(), new RouteSpec.RouteAction(List.of(
                new WeightedCluster("web-v1", 1, destRequest, null), new WeightedCluster("web-v2", 1, destRequest,
                        null))), null, null, null, routeRequest, null);
        apply(outbound(vhost("web", webDomains(), lone, split)));
        assertThat(get("http://web/lone").headers().allValues("x-echo-x-who")).containsExactly("destination");
        assertThat(get("http://web/split").headers().allValues("x-echo-x-who")).containsExactly("route");
    }

    @Test
    void relativeWeightsOneAndThreeSplitAQuarterAndThreeQuarters() throws Exception {
        apply(outbound(vhost("web", webDomains(),
                route("split", List.of(weighted("web-v1", 1), weighted("web-v2", 3))))));
        int n = 400;
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < n; i++) {
            counts.merge(get("http://web/").body(), 1, Integer::sum);
        }
        // 25 % of 400 = 100, standard deviation ~8.7: +-4 sigma
        assertThat(counts.getOrDefault("v1", 0) + counts.getOrDefault("v2", 0)).isEqualTo(n);
        assertThat(counts.getOrDefault("v1", 0)).isBetween(66, 134);
    }

    @Test
    void rewriteReplacesTheMatchedPrefixOrTheWholePathAndTheAuthority() throws Exception {
        RouteSpec prefixRewrite = new RouteSpec("rw.prefix", null, Views.matches(match().uri(prefix("/api/"))),
                new RouteSpec.RouteAction(List.of(weighted("web-v1", 100))), null, null,
                new RouteSpec.RewriteSpec("/v1/", "backend.internal"), null, null);
        RouteSpec exactRewrite = new RouteSpec("rw.exact", null, Views.matches(match().uri(exact("/old"))),
                new RouteSpec.RouteAction(List.of(weighted("web-v1", 100))), null, null,
                new RouteSpec.RewriteSpec("/new", null), null, null);
        RouteSpec twoPrefixes = new RouteSpec("rw.two", null,
                Views.matches(match().uri(prefix("/first")), match().uri(prefix("/second/"))),
                new RouteSpec.RouteAction(List.of(weighted("web-v1", 100))), null, null,
                new RouteSpec.RewriteSpec("/to/", null), null, null);
        RouteSpec noUri = new RouteSpec("rw.none", null, List.of(),
                new RouteSpec.RouteAction(List.of(weighted("web-v1", 100))), null, null,
                new RouteSpec.RewriteSpec("/v2", null), null, null);
        apply(outbound(vhost("web", webDomains(), prefixRewrite, exactRewrite, twoPrefixes, noUri)));
        // each match of one http entry swaps its own prefix; the two sides are joined as they are
        assertThat(get("http://web/first/a").headers().firstValue("x-seen-path")).hasValue("/to//a");
        assertThat(get("http://web/second/b").headers().firstValue("x-seen-path")).hasValue("/to/b");
        // no uri match: Istio's route prefix is "/", so "/" is what is swapped
        assertThat(get("http://web/items?x=1").headers().firstValue("x-seen-path")).hasValue("/v2items?x=1");
        HttpResponse<String> response = get("http://web/api/items?q=1");
        assertThat(response.headers().firstValue("x-seen-path")).hasValue("/v1/items?q=1");
        assertThat(response.headers().firstValue("x-seen-host")).hasValue("backend.internal");
        response = get("http://web/old?k=v");
        assertThat(response.headers().firstValue("x-seen-path")).hasValue("/new?k=v");
        assertThat(response.headers().firstValue("x-seen-host")).hasValue("web");
    }

    @Test
    void redirectAnswersWithLocationAnd301ByDefault() throws Exception {
        RouteSpec redirect = new RouteSpec("redir", null, Views.matches(match().uri(prefix("/old"))), null,
                new RouteSpec.RedirectAction("/new", "web2", null, null, 0), null, null, null, null);
        RouteSpec redirect302 = new RouteSpec("redir302", null, Views.matches(match().uri(prefix("/tmp"))), null,
                new RouteSpec.RedirectAction(null, null, "https", 8443, 302), null, null, null, null);
        RouteSpec direct = new RouteSpec("direct", null, Views.matches(match().uri(prefix("/direct"))), null, null,
                new RouteSpec.DirectResponse(418, "short and stout"), null, null, null);
        apply(outbound(vhost("web", webDomains(), redirect, redirect302, direct)));
        HttpResponse<String> response = get("http://web/old/x?q=1");
        assertThat(response.statusCode()).isEqualTo(301);
        assertThat(response.headers().firstValue("location")).hasValue("http://web2/new?q=1");
        response = get("http://web/tmp");
        assertThat(response.statusCode()).isEqualTo(302);
        assertThat(response.headers().firstValue("location")).hasValue("https://web:8443/tmp");
        response = get("http://web/direct");
        assertThat(response.statusCode()).isEqualTo(418);
        assertThat(response.body()).isEqualTo("short and stout");
        assertThat(response.headers().firstValue("x-meshgate-response-flags")).isEmpty();
    }

    @Test
    void proxyMadeResponsesCarryTheirResponseFlag() throws Exception {
        int closedPort = FreePorts.next();
        List<ClusterSpec> clusters = List.of(cluster("web-v1", endpoint("127.0.0.1", v1.port())),
                cluster("empty"), cluster("refused", endpoint("127.0.0.1", closedPort)));
        apply(ProxyView.OutboundTrafficPolicy.REGISTRY_ONLY, clusters, outbound(vhost("web", webDomains(),
                route("r.empty", "empty", match().uri(prefix("/empty"))),
                route("r.refused", "refused", match().uri(prefix("/refused"))),
                route("r.only", "web-v1", match().uri(prefix("/only"))))));
        assertFlag(get("http://web/empty"), 503, "UH");
        assertFlag(get("http://web/refused"), 503, "UF");
        assertFlag(get("http://web/other"), 404, "NR");
        assertFlag(get("http://unknown.example/"), 502, "NR");
        binding.bind(port, "gateway/80");
        apply(ProxyView.OutboundTrafficPolicy.REGISTRY_ONLY, clusters,
                gateway("gateway/80", 80, vhost("gw", List.of("bookinfo.com"), route("gw", "web-v1"))));
        assertFlag(get("http://nothere.com/"), 404, "NR");
        assertThat(backendOf("http://bookinfo.com:8080/")).isEqualTo("v1");
    }

    private static void assertFlag(HttpResponse<String> response, int status, String flag) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("x-meshgate-response-flags")).hasValue(flag);
        assertThat(response.body()).startsWith("meshgate: ").contains("(" + flag + ")");
    }

    @Test
    void anUpstreamClosingTheConnectionBeforeRespondingIsUC() throws Exception {
        var closing = reactor.netty.http.server.HttpServer.create().host("127.0.0.1").port(0)
                .handle((req, res) -> res.withConnection(c -> c.channel().close()).then())
                .bindNow();
        try {
            List<ClusterSpec> clusters = List.of(cluster("closing", endpoint("127.0.0.1", closing.port())));
            apply(ProxyView.OutboundTrafficPolicy.ALLOW_ANY, clusters,
                    outbound(vhost("web", webDomains(), route("r", "closing"))));
            assertFlag(get("http://web/"), 503, "UC");
        } finally {
            closing.disposeNow();
        }
    }

    @Test
    void requestsOnPortsWithoutListenerAreLeftToOtherHandlers() throws Exception {
        apply(outbound(vhost("web", webDomains(), route("r", "web-v1"))));
        binding.unbind(port);
        HttpResponse<String> response = get("http://web/");
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("x-meshgate-response-flags")).isEmpty();
        assertThat(response.body()).doesNotContain("v1");
    }

    @Test
    void allowAnyPassesUnknownHostsThroughToTheHostTheyName() throws Exception {
        apply(outbound(vhost("web", webDomains(), route("r", "web-v1"))));
        HttpResponse<String> response = get("http://127.0.0.1:" + v2.port() + "/direct?x=1");
        assertThat(response.body()).isEqualTo("v2");
        assertThat(response.headers().firstValue("x-seen-path")).hasValue("/direct?x=1");
        assertThat(response.headers().firstValue("x-seen-host")).hasValue("127.0.0.1:" + v2.port());
    }

    @Test
    void dnsClusterEndpointsResolveAtConnectTime() throws Exception {
        List<ClusterSpec> clusters = List.of(new ClusterSpec("dns", "localhost", v2.port(), null,
                ClusterSpec.Discovery.DNS, List.of(new EndpointSpec("localhost", v2.port(), Map.of(), 1, null, null))));
        apply(ProxyView.OutboundTrafficPolicy.ALLOW_ANY, clusters,
                outbound(vhost("web", webDomains(), route("r", "dns"))));
        assertThat(backendOf("http://web/")).isEqualTo("v2");
    }

    @Test
    void aRejectedViewKeepsThePreviousRoutesServing() throws Exception {
        apply(outbound(vhost("web", webDomains(), route("r", "web-v2"))));
        String served = table.current().version();
        ProxyView bad = view(nextVersion(), List.of(outbound(vhost("web", webDomains(),
                route("r", "web-v1", match().header("x", regex("[unclosed")))))), clusters());
        assertThatThrownBy(() -> table.apply(bad)).isInstanceOf(ViewRejectedException.class)
                .hasMessageContaining("route r matches[0].headers[x]");
        assertThat(table.current().version()).isEqualTo(served);
        assertThat(backendOf("http://web/")).isEqualTo("v2");
    }
}
