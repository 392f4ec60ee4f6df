package dev.meshgate.proxy.route;

import static dev.meshgate.proxy.route.Views.cluster;
import static dev.meshgate.proxy.route.Views.endpoint;
import static dev.meshgate.proxy.route.Views.exact;
import static dev.meshgate.proxy.route.Views.gateway;
import static dev.meshgate.proxy.route.Views.match;
import static dev.meshgate.proxy.route.Views.outbound;
import static dev.meshgate.proxy.route.Views.prefix;
import static dev.meshgate.proxy.route.Views.present;
import static dev.meshgate.proxy.route.Views.regex;
import static dev.meshgate.proxy.route.Views.route;
import static dev.meshgate.proxy.route.Views.vhost;
import static dev.meshgate.proxy.route.Views.view;
import static dev.meshgate.proxy.route.Views.weighted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

import dev.meshgate.core.view.ClusterSpec;
import dev.meshgate.core.view.MirrorSpec;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.view.RouteSpec;
import dev.meshgate.core.view.VirtualHostSpec;
import dev.meshgate.proxy.stream.StreamInfo;

/** Simulation: a view is applied, then requests (host, path, headers, query, method) are looked up, no sockets. */
class MeshRouteTableTest {

    private final MeshRouteTable table = new MeshRouteTable();

    private static final List<ClusterSpec> CLUSTERS = List.of(
            cluster("web-v1", endpoint("127.0.0.1", 9001)),
            cluster("web-v2", endpoint("127.0.0.1", 9002)),
            cluster("api", endpoint("127.0.0.1", 9003)),
            cluster("wild", endpoint("127.0.0.1", 9004)),
            cluster("deep-wild", endpoint("127.0.0.1", 9005)),
            cluster("any", endpoint("127.0.0.1", 9006)));

    /** Like a real server, the request carries its authority in the Host header. */
    private static MockServerHttpRequest.BaseBuilder<?> get(String url) {
        return withHost(MockServerHttpRequest.get(url), url);
    }

    private static MockServerHttpRequest.BaseBuilder<?> post(String url) {
        return withHost(MockServerHttpRequest.post(url), url);
    }

    private static MockServerHttpRequest.BaseBuilder<?> withHost(MockServerHttpRequest.BaseBuilder<?> b, String url) {
        return b.header("Host", java.net.URI.create(url).getRawAuthority());
    }

    private String routeOf(String listener, MockServerHttpRequest.BaseBuilder<?> request) {
        return table.lookup(listener, MockServerWebExchange.from(request)).getId();
    }

    @SuppressWarnings("unchecked")
    private List<String> clustersOf(String listener, MockServerHttpRequest.BaseBuilder<?> request) {
        Route route = table.lookup(listener, MockServerWebExchange.from(request));
        return (List<String>) route.getMetadata().get(RouteCompiler.CLUSTERS);
    }

    private void applyWebView() throws ViewRejectedException {
        table.apply(view("v1", List.of(outbound(
                vhost("web.default.svc.cluster.local:80",
                        List.of("web", "web:80", "web.default", "web.default.svc.cluster.local",
                                "web.default.svc.cluster.local:80"),
                        route("default.web.0", "web-v2", match().header("end-user", exact("jason"))),
                        route("default.web.1", "web-v2", match().header("cookie", regex("^(.*?;)?(user=tester)(;.*)?$"))),
                        route("default.web.2", "web-v2", match().header("user-agent", regex(".*Firefox.*"))),
                        route("default.web.3", "web-v2", match().query("version", exact("2"))),
                        route("default.web.4", "api", match().uri(prefix("/api")).method("POST"),
                                match().uri(regex("/v[0-9]+/items"))),
                        route("default.web.5", "api", match().uri(exact("/Exact")).ignoreUriCase()),
                        route("default.web.6", "web-v1", match().uri(prefix("/")).without("x-canary", present())),
                        route("default.web.7", "web-v2")),
                vhost("wild", List.of("*.example.com"), route("wild.0", "wild")),
                vhost("deep-wild", List.of("*.deep.example.com"), route("deep.0", "deep-wild")),
                vhost("api:8080", List.of("api:8080"),
                        route("api.0", "api", match().uri(prefix("/only"))))
        )), CLUSTERS));
    }

    @Test
    void hostSelectsVirtualHostByExactDomainWithOrWithoutPort() throws Exception {
        applyWebView();
        assertThat(routeOf("outbound", get("http://web/"))).isEqualTo("default.web.6");
        assertThat(routeOf("outbound", get("http://web:80/"))).isEqualTo("default.web.6");
        assertThat(routeOf("outbound", get("http://WEB.default.svc.cluster.local/"))).isEqualTo("default.web.6");
        assertThat(routeOf("outbound", get("http://api:8080/only/x"))).isEqualTo("api.0");
    }

    @Test
    void sidecarDoesNotStripAnUnlistedPort() throws Exception {
        applyWebView();
        // web:9999 is not a domain of any virtual host: the sidecar passes it through, it does not serve web:80.
        assertThat(routeOf("outbound", get("http://web:9999/"))).isEqualTo("PassthroughCluster");
    }

    @Test
    void wildcardDomainsMatchLongestSuffixFirst() throws Exception {
        applyWebView();
        assertThat(routeOf("outbound", get("http://a.example.com/"))).isEqualTo("wild.0");
        assertThat(routeOf("outbound", get("http://a.b.example.com/"))).isEqualTo("wild.0");
        assertThat(routeOf("outbound", get("http://x.deep.example.com/"))).isEqualTo("deep.0");
        assertThat(routeOf("outbound", get("http://example.com/"))).isEqualTo("PassthroughCluster");
    }

    @Test
    void starDomainCatchesEveryOtherHost() throws Exception {
        table.apply(view("v1", List.of(outbound(
                vhost("exact", List.of("web"), route("exact.0", "web-v1")),
                vhost("star", List.of("*"), route("star.0", "any")))), CLUSTERS));
        assertThat(routeOf("outbound", get("http://web/"))).isEqualTo("exact.0");
        assertThat(routeOf("outbound", get("http://other:1234/"))).isEqualTo("star.0");
    }

    @Test
    void headerCookieAndUserAgentMatchesPickTheirRoute() throws Exception {
        applyWebView();
        assertThat(routeOf("outbound", get("http://web/").header("end-user", "jason"))).isEqualTo("default.web.0");
        assertThat(routeOf("outbound", get("http://web/").header("end-user", "jasonx"))).isEqualTo("default.web.6");
        assertThat(routeOf("outbound", get("http://web/").header("Cookie", "user=tester; c=d")))
                .isEqualTo("default.web.1");
        assertThat(routeOf("outbound", get("http://web/").header("cookie", "user=testers"))).isEqualTo("default.web.6");
        assertThat(routeOf("outbound", get("http://web/").header("User-Agent", "Mozilla/5.0 Firefox/120")))
                .isEqualTo("default.web.2");
    }

    @Test
    void firstMatchingRouteWins() throws Exception {
        applyWebView();
        assertThat(routeOf("outbound", get("http://web/?version=2").header("end-user", "jason")))
                .isEqualTo("default.web.0");
        assertThat(routeOf("outbound", get("http://web/?version=2"))).isEqualTo("default.web.3");
    }

    @Test
    void uriMatchesAreFullMatchesOnThePathWithoutQuery() throws Exception {
        applyWebView();
        assertThat(routeOf("outbound", post("http://web/api/x")))
                .isEqualTo("default.web.4");
        // prefix and method must both hold (AND within a match)
        assertThat(routeOf("outbound", get("http://web/api/x"))).isEqualTo("default.web.6");
        // the second match of the same route (OR across matches)
        assertThat(routeOf("outbound", get("http://web/v12/items?x=1"))).isEqualTo("default.web.4");
        // regex must match the whole path
        assertThat(routeOf("outbound", get("http://web/v12/items/more"))).isEqualTo("default.web.6");
        assertThat(routeOf("outbound", get("http://web/EXACT"))).isEqualTo("default.web.5");
        assertThat(routeOf("outbound", get("http://web/exact/x"))).isEqualTo("default.web.6");
    }

    @Test
    void withoutHeadersExcludesRequestsCarryingTheHeader() throws Exception {
        applyWebView();
        assertThat(routeOf("outbound", get("http://web/x").header("x-canary", "1"))).isEqualTo("default.web.7");
    }

    @Test
    void ignoreUriCaseAppliesToExactAndPrefixButNotToRegex() throws Exception {
        table.apply(view("v1", List.of(outbound(vhost("web", List.of("web"),
                route("r.prefix", "api", match().uri(prefix("/Api/")).ignoreUriCase()),
                route("r.regex", "web-v2", match().uri(regex("/Items/[0-9]+")).ignoreUriCase()),
                route("r.default", "web-v1")))), CLUSTERS));
        assertThat(routeOf("outbound", get("http://web/aPI/x"))).isEqualTo("r.prefix");
        assertThat(routeOf("outbound", get("http://web/Items/42"))).isEqualTo("r.regex");
        // Envoy ignores case_sensitive for safe_regex paths, so Istio's ignoreUriCase leaves the regex as it is.
        assertThat(routeOf("outbound", get("http://web/items/42"))).isEqualTo("r.default");
    }

    @Test
    void withoutHeadersTestsAMissingHeaderAsEmptyExceptForPresence() throws Exception {
        table.apply(view("v1", List.of(outbound(vhost("web", List.of("web"),
                route("r.not-exact", "api", match().uri(prefix("/a")).without("x-env", exact("prod"))),
                route("r.not-empty", "web-v2", match().uri(prefix("/b")).without("x-env", exact(""))),
                route("r.not-any", "web-v2", match().uri(prefix("/c")).without("x-env", regex(".*"))),
                route("r.not-present", "web-v2", match().uri(prefix("/d")).without("x-env", present())),
                route("r.default", "web-v1")))), CLUSTERS));
        assertThat(routeOf("outbound", get("http://web/a"))).isEqualTo("r.not-exact");
        assertThat(routeOf("outbound", get("http://web/a").header("x-env", "dev"))).isEqualTo("r.not-exact");
        assertThat(routeOf("outbound", get("http://web/a").header("x-env", "prod"))).isEqualTo("r.default");
        // treat_missing_header_as_empty: a missing header is "", which exact "" and regex .* match, so they exclude
        assertThat(routeOf("outbound", get("http://web/b"))).isEqualTo("r.default");
        assertThat(routeOf("outbound", get("http://web/b").header("x-env", "dev"))).isEqualTo("r.not-empty");
        assertThat(routeOf("outbound", get("http://web/c"))).isEqualTo("r.default");
        assertThat(routeOf("outbound", get("http://web/d"))).isEqualTo("r.not-present");
        assertThat(routeOf("outbound", get("http://web/d").header("x-env", ""))).isEqualTo("r.default");
    }

    @Test
    void eachMatchLeavesThePartOfThePathItCoveredForARewrite() throws Exception {
        table.apply(view("v1", List.of(outbound(vhost("web", List.of("web"),
                route("r.two", "api", match().uri(prefix("/one")), match().uri(prefix("/second")),
                        match().uri(exact("/exact")), match().uri(regex("/re+"))),
                route("r.default", "web-v1")))), CLUSTERS));
        assertThat(matchedPrefix(get("http://web/one/x"))).isEqualTo("/one");
        assertThat(matchedPrefix(get("http://web/second/x"))).isEqualTo("/second");
        assertThat(matchedPrefix(get("http://web/exact"))).isNull();
        assertThat(matchedPrefix(get("http://web/reee"))).isNull();
        // Istio gives a match without uri (and an http entry without match) the route prefix "/".
        assertThat(matchedPrefix(get("http://web/other"))).isEqualTo("/");
    }

    private String matchedPrefix(MockServerHttpRequest.BaseBuilder<?> request) {
        MockServerWebExchange exchange = MockServerWebExchange.from(request);
        table.lookup("outbound", exchange);
        return StreamInfo.of(exchange).matchedUriPrefix();
    }

    @Test
    void aPrefixMatchLeavesItsPrefixForARewrite() throws Exception {
        applyWebView();
        MockServerWebExchange exchange = MockServerWebExchange.from(post("http://web/api/x"));
        table.lookup("outbound", exchange);
        assertThat((String) StreamInfo.of(exchange).matchedUriPrefix()).isEqualTo("/api");
    }

    @Test
    void noMatchingRouteInTheVirtualHostIsNoRoute() throws Exception {
        applyWebView();
        assertThat(routeOf("outbound", get("http://api:8080/other"))).isEqualTo("meshgate.no_route");
    }

    @Test
    void unknownHostIsPassthroughUnderAllowAnyAndBlackHoleUnderRegistryOnly() throws Exception {
        table.apply(view("v1", List.of(outbound(vhost("web", List.of("web"), route("r", "web-v1")))), CLUSTERS));
        assertThat(routeOf("outbound", get("http://example.org/"))).isEqualTo("PassthroughCluster");
        table.apply(view("v2", List.of(outbound(vhost("web", List.of("web"), route("r", "web-v1")))), CLUSTERS,
                ProxyView.OutboundTrafficPolicy.REGISTRY_ONLY));
        assertThat(routeOf("outbound", get("http://example.org/"))).isEqualTo("BlackHoleCluster");
    }

    @Test
    void gatewayAnswersUnknownHostWithNoVirtualHostAndStripsTheLocalPort() throws Exception {
        table.apply(view("v1", List.of(gateway("gateway/80", 80,
                vhost("bookinfo.com:80", List.of("bookinfo.com"),
                        route("gw.0", "api", match().port(80).uri(prefix("/api"))),
                        route("gw.1", "web-v1", match().port(8080))))), CLUSTERS));
        // the client reached the gateway's local port 8080; the Gateway server port is 80
        assertThat(routeOf("gateway/80", get("http://bookinfo.com:8080/api/x"))).isEqualTo("gw.0");
        assertThat(routeOf("gateway/80", get("http://bookinfo.com:8080/other"))).isEqualTo("meshgate.no_route");
        assertThat(routeOf("gateway/80", get("http://other.com:8080/"))).isEqualTo("meshgate.no_virtual_host");
        assertThat(routeOf("inbound", get("http://bookinfo.com/"))).isEqualTo("meshgate.no_listener");
    }

    @Test
    void beforeAnyViewEveryRequestGetsNoView() {
        assertThat(table.current()).isNull();
        assertThat(routeOf("outbound", get("http://web/"))).isEqualTo("meshgate.no_view");
    }

    @Test
    void weightedRouteListsItsClustersAndWeights() throws Exception {
        table.apply(view("v1", List.of(outbound(vhost("web", List.of("web"),
                route("split", List.of(weighted("web-v1", 90), weighted("web-v2", 10)))))), CLUSTERS));
        assertThat(clustersOf("outbound", get("http://web/"))).containsExactly("web-v1", "web-v2");
        assertThat(table.lookup("outbound", MockServerWebExchange.from(get("http://web/"))).getMetadata()
                .get(RouteCompiler.WEIGHTS)).isEqualTo(List.of(90, 10));
    }

    @Test
    void aRegexThatDoesNotCompileRejectsTheViewNamingRouteAndFieldAndKeepsThePreviousOne() throws Exception {
        applyWebView();
        ProxyView bad = view("v2", List.of(outbound(vhost("web", List.of("web"),
                route("default.web.0", "web-v1"),
                route("default.web.1", "web-v2", match(), match().header("cookie", regex("(user=")))))), CLUSTERS);
        assertThatThrownBy(() -> table.apply(bad))
                .isInstanceOf(ViewRejectedException.class)
                .hasMessageContaining("route default.web.1 matches[1].headers[cookie]: invalid regex \"(user=\": "
                        + "missing closing )");
        assertThat(table.current().version()).isEqualTo("v1");
        assertThat(routeOf("outbound", get("http://web/").header("end-user", "jason"))).isEqualTo("default.web.0");
    }

    @Test
    void aRegexJavaWouldAcceptButRe2DoesNotRejectsTheViewWithTheReason() throws Exception {
        applyWebView();
        ProxyView lookahead = view("v2", List.of(outbound(vhost("web", List.of("web"),
                route("default.web.0", "web-v1", match().uri(regex("/api/(?=v1).*")))))), CLUSTERS);
        assertThatThrownBy(() -> table.apply(lookahead)).isInstanceOf(ViewRejectedException.class)
                .hasMessageContaining("route default.web.0 matches[0].uri: invalid regex \"/api/(?=v1).*\": "
                        + "lookahead \"(?=\" is not supported (RE2 has no lookaround)");
        ProxyView backreference = view("v3", List.of(outbound(vhost("web", List.of("web"),
                route("default.web.0", "web-v1", match().without("x-a", regex("(a)\\1")))))), CLUSTERS);
        assertThatThrownBy(() -> table.apply(backreference)).isInstanceOf(ViewRejectedException.class)
                .hasMessageContaining("matches[0].withoutHeaders[x-a]: invalid regex \"(a)\\1\": backreference");
        assertThat(table.current().version()).isEqualTo("v1");
    }

    @Test
    void re2NamedGroupsAreAcceptedAndRegexesMatchTheWholeValue() throws Exception {
        table.apply(view("v1", List.of(outbound(vhost("web", List.of("web"),
                route("named", "web-v2", match().header("x-version", regex("v(?P<major>[0-9]+)"))),
                route("rest", "web-v1")))), CLUSTERS));
        assertThat(routeOf("outbound", get("http://web/").header("x-version", "v12"))).isEqualTo("named");
        assertThat(routeOf("outbound", get("http://web/").header("x-version", "v12-beta"))).isEqualTo("rest");
        assertThat(routeOf("outbound", get("http://web/").header("x-version", "xv12"))).isEqualTo("rest");
    }

    @Test
    void aRouteNamingAnUnknownClusterRejectsTheView() {
        ProxyView bad = view("v1", List.of(outbound(vhost("web", List.of("web"), route("r.0", "nope")))), CLUSTERS);
        assertThatThrownBy(() -> table.apply(bad)).isInstanceOf(ViewRejectedException.class)
                .hasMessage("route r.0 route[0].cluster: unknown cluster 'nope' (NC)");
        assertThat(table.current()).isNull();
    }

    @Test
    void aMalformedViewIsRejectedNotThrown() {
        ProxyView bad = view("v1", List.of(new dev.meshgate.core.view.ListenerSpec(null, 0,
                dev.meshgate.core.view.ListenerSpec.Direction.OUTBOUND, List.of())), CLUSTERS);
        assertThatThrownBy(() -> table.apply(bad)).isInstanceOf(ViewRejectedException.class)
                .hasMessageStartingWith("malformed view: ");
    }

    @Test
    void aDomainServedByTwoVirtualHostsRejectsTheView() {
        ProxyView bad = view("v1", List.of(outbound(vhost("a", List.of("web"), route("a.0", "web-v1")),
                vhost("b", List.of("WEB"), route("b.0", "web-v2")))), CLUSTERS);
        assertThatThrownBy(() -> table.apply(bad)).isInstanceOf(ViewRejectedException.class)
                .hasMessageContaining("domain 'WEB' is served by virtual hosts a and b");
    }

    @Test
    void clusterRuntimeSurvivesAnApplyWhenItsSpecIsUnchanged() throws Exception {
        applyWebView();
        var v1 = table.cluster("web-v1");
        var api = table.cluster("api");
        List<ClusterSpec> changed = List.of(CLUSTERS.get(0), CLUSTERS.get(1),
                cluster("api", endpoint("127.0.0.1", 9999)), CLUSTERS.get(3), CLUSTERS.get(4), CLUSTERS.get(5));
        table.apply(view("v2", List.of(outbound(vhost("web", List.of("web"), route("r", "web-v1")))), changed));
        assertThat(table.cluster("web-v1")).isSameAs(v1);
        assertThat(table.cluster("api")).isNotSameAs(api);
        assertThat(table.cluster("api").endpoints().get(0).port()).isEqualTo(9999);
    }

    @Test
    void aViewSharingVirtualHostSpecsRecompilesOnlyTheOnesChangedOrSendingToAChangedClusterOrMirroring()
            throws Exception {
        VirtualHostSpec kept = vhost("web", List.of("web"), route("web.0", "web-v1"));
        VirtualHostSpec toChangedCluster = vhost("api", List.of("api"), route("api.0", "api"));
        RouteSpec plain = route("mirrored.0", "web-v2");
        VirtualHostSpec mirroring = vhost("mirrored", List.of("mirrored"), new RouteSpec(plain.id(), null, List.of(),
                plain.route(), null, null, null, null, null, 0, null, null,
                List.of(new MirrorSpec("any", 100)), null));
        table.apply(view("v1", List.of(outbound(kept, toChangedCluster, mirroring,
                vhost("wild", List.of("*.example.com"), route("wild.0", "wild")))), CLUSTERS));
        Map<String, Route> before = byId(table.routes());
        List<ClusterSpec> apiChanged = List.of(CLUSTERS.get(0), CLUSTERS.get(1),
                cluster("api", endpoint("127.0.0.1", 9999)), CLUSTERS.get(3), CLUSTERS.get(4), CLUSTERS.get(5));

        table.apply(view("v2", List.of(outbound(kept, toChangedCluster, mirroring,
                vhost("wild", List.of("*.example.com"), route("wild.0", "any")))), apiChanged));

        Map<String, Route> after = byId(table.routes());
        assertThat(after.get("web.0")).isSameAs(before.get("web.0"));
        assertThat(after.get("api.0")).isNotSameAs(before.get("api.0"));
        assertThat(after.get("mirrored.0")).isNotSameAs(before.get("mirrored.0"));
        assertThat(after.get("wild.0")).isNotSameAs(before.get("wild.0"));
        assertThat(routeOf("outbound", get("http://web/"))).isEqualTo("web.0");
        assertThat(clustersOf("outbound", get("http://x.example.com/"))).containsExactly("any");
        assertThat(table.cluster("api").endpoints().get(0).port()).isEqualTo(9999);
    }

    private static Map<String, Route> byId(List<Route> routes) {
        Map<String, Route> byId = new java.util.HashMap<>();
        routes.forEach(route -> byId.put(route.getId(), route));
        return byId;
    }

    @Test
    void applyingTheSameVersionAgainChangesNothing() throws Exception {
        applyWebView();
        List<Route> routes = table.routes();
        applyWebView();
        assertThat(table.routes()).isSameAs(routes);
    }
}
