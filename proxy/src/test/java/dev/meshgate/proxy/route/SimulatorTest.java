package dev.meshgate.proxy.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.meshgate.core.index.MeshIndex;
import dev.meshgate.core.index.MeshSettings;
import dev.meshgate.core.resource.Resource;
import dev.meshgate.core.translate.ProxyViewTranslator;
import dev.meshgate.core.validation.MeshValidator;
import dev.meshgate.core.view.ClusterSpec;
import dev.meshgate.core.view.EndpointSpec;
import dev.meshgate.core.view.LoadBalancerSpec;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.ProxyKind;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.view.RouteSpec;
import dev.meshgate.core.yaml.ConfigFiles;
import dev.meshgate.core.yaml.ResourceReader;
import dev.meshgate.proxy.route.RouteDecision.Destination;
import dev.meshgate.proxy.route.RouteDecision.Outcome;
import dev.meshgate.proxy.route.Simulator.Request;

/**
 * Simulation: the Istio YAML of {@code simulation/bookinfo} is read, validated, indexed and translated for one
 * proxy, compiled by the proxy's route table, and requests (host, path, method, headers) are looked up in it; the
 * tests assert the route, the clusters and weights, and the policies that apply. No sockets.
 */
class SimulatorTest {

    private static final Path FIXTURE = Path.of("src/test/resources/simulation/bookinfo");
    private static final String REVIEWS_V1 = "outbound|9080|v1|reviews.default.svc.cluster.local";
    private static final String REVIEWS_V2 = "outbound|9080|v2|reviews.default.svc.cluster.local";
    private static final String REVIEWS_V3 = "outbound|9080|v3|reviews.default.svc.cluster.local";
    private static final String RATINGS_V1 = "outbound|9080|v1|ratings.default.svc.cluster.local";
    private static final String PRODUCTPAGE = "outbound|9080||productpage.default.svc.cluster.local";

    private static final ProxyIdentity PRODUCTPAGE_V1 = new ProxyIdentity("productpage-v1", "default",
            ProxyKind.SIDECAR, Map.of("app", "productpage", "version", "v1"), null);
    private static final ProxyIdentity PRODUCTPAGE_V2 = new ProxyIdentity("productpage-v2", "default",
            ProxyKind.SIDECAR, Map.of("app", "productpage", "version", "v2"), null);
    private static final ProxyIdentity INGRESS = new ProxyIdentity("ingress", "istio-system", ProxyKind.GATEWAY,
            Map.of("istio", "ingressgateway"), null);

    private final Simulator sidecar = simulator(PRODUCTPAGE_V1, MeshSettings.DEFAULT);

    @Test
    void aHeaderMatchSelectsItsSubsetAndHeaderOperations() {
        RouteDecision decision = sidecar.simulate(Request.get("http://reviews:9080/reviews/1").header("end-user", "jason"));

        assertThat(decision.listener()).isEqualTo("outbound");
        assertThat(decision.outcome()).isEqualTo(Outcome.ROUTE);
        assertThat(decision.virtualHost()).isEqualTo("reviews.default.svc.cluster.local:9080");
        assertThat(decision.routeId()).isEqualTo("default.reviews.0");
        assertThat(decision.route().name()).isEqualTo("jason");
        assertThat(decision.matchIndex()).isZero();
        assertThat(decision.match().headers()).containsKey("end-user");
        assertThat(decision.notMatched()).isEmpty();
        assertThat(decision.destinations()).extracting(Destination::name, Destination::weight, Destination::percent)
                .containsExactly(tuple(REVIEWS_V2, 100, 100.0));
        assertThat(decision.route().requestHeaders().set()).containsEntry("x-user", "jason");
        assertThat(decision.route().responseHeaders().remove()).containsExactly("x-internal");
    }

    @Test
    void withoutTheHeaderTheWeightedSplitServesWithItsPolicies() {
        RouteDecision decision = sidecar.simulate(Request.get("http://reviews:9080/reviews/1"));

        assertThat(decision.routeId()).isEqualTo("default.reviews.2");
        assertThat(decision.route().name()).isEqualTo("split");
        assertThat(decision.matchIndex()).isEqualTo(-1);
        assertThat(decision.notMatched()).containsExactly("default.reviews.0");
        assertThat(decision.destinations()).extracting(Destination::name, Destination::weight, Destination::percent)
                .containsExactly(tuple(REVIEWS_V1, 80, 80.0),
                        tuple(REVIEWS_V3, 20, 20.0));
        RouteSpec route = decision.route();
        assertThat(route.timeoutMillis()).isEqualTo(2000);
        assertThat(route.retries().attempts()).isEqualTo(3);
        assertThat(route.retries().perTryTimeoutMillis()).isEqualTo(500);
        assertThat(route.retries().retryOn()).containsExactly("5xx", "connect-failure");
        assertThat(route.mirrors()).singleElement().satisfies(mirror -> {
            assertThat(mirror.cluster()).isEqualTo(REVIEWS_V3);
            assertThat(mirror.percentage()).isEqualTo(25.0);
        });
    }

    @Test
    void clustersCarryEndpointsAndTheirDestinationRulePolicy() {
        RouteDecision decision = sidecar.simulate(Request.get("http://reviews:9080/"));

        ClusterSpec v1 = decision.destinations().get(0).cluster();
        assertThat(v1.endpoints()).extracting(EndpointSpec::address, EndpointSpec::port)
                .containsExactly(tuple("10.0.0.1", 9080));
        assertThat(v1.trafficPolicy().connectionPool().maxConnections()).isEqualTo(100);
        assertThat(v1.trafficPolicy().connectionPool().http1MaxPendingRequests()).isEqualTo(10);
        assertThat(v1.trafficPolicy().outlierDetection().consecutive5xxErrors()).isEqualTo(5);
        assertThat(v1.trafficPolicy().outlierDetection().baseEjectionTimeMillis()).isEqualTo(60_000);
        ClusterSpec v3 = decision.destinations().get(1).cluster();
        assertThat(v3.endpoints()).extracting(EndpointSpec::address).containsExactly("10.0.0.3");
        assertThat(v3.trafficPolicy().loadBalancer().simple()).isEqualTo(LoadBalancerSpec.Simple.ROUND_ROBIN);
    }

    @Test
    void sourceLabelsOfTheProxyDecideWhichRoutesItHas() {
        Simulator v2 = simulator(PRODUCTPAGE_V2, MeshSettings.DEFAULT);

        RouteDecision decision = v2.simulate(Request.get("http://reviews:9080/"));

        assertThat(decision.routeId()).isEqualTo("default.reviews.1");
        assertThat(decision.destinations()).extracting(Destination::name).containsExactly(REVIEWS_V3);
    }

    @Test
    void everyHostFormOfTheServiceSelectsItsVirtualHost() {
        for (String host : List.of("reviews:9080", "reviews.default:9080", "reviews.default.svc:9080",
                "reviews.default.svc.cluster.local:9080", "REVIEWS:9080")) {
            assertThat(sidecar.simulate(Request.get("http://" + host + "/")).virtualHost()).as(host)
                    .isEqualTo("reviews.default.svc.cluster.local:9080");
        }
    }

    @Test
    void aMethodAndPrefixMatchCarriesTheFault() {
        RouteDecision get = sidecar.simulate(Request.get("http://ratings:9080/slow/1"));
        assertThat(get.routeId()).isEqualTo("default.ratings.0");
        assertThat(get.route().fault().delay().fixedDelayMillis()).isEqualTo(7000);
        assertThat(get.route().fault().delay().percentage()).isEqualTo(100.0);
        assertThat(get.route().fault().abort().httpStatus()).isEqualTo(500);
        assertThat(get.route().fault().abort().percentage()).isEqualTo(10.0);

        RouteDecision post = sidecar.simulate(Request.get("http://ratings:9080/slow/1").method("POST"));
        assertThat(post.outcome()).isEqualTo(Outcome.NO_ROUTE);
        assertThat(post.routeId()).isEqualTo("meshgate.no_route");
        assertThat(post.notMatched()).containsExactly("default.ratings.0", "default.ratings.1", "default.ratings.2",
                "default.ratings.3");
        assertThat(post.destinations()).isEmpty();
    }

    @Test
    void redirectsAndDirectResponsesAreAnsweredByTheProxy() {
        RouteDecision redirect = sidecar.simulate(Request.get("http://ratings:9080/v0/ratings"));
        assertThat(redirect.outcome()).isEqualTo(Outcome.REDIRECT);
        assertThat(redirect.route().redirect().uri()).isEqualTo("/ratings");
        assertThat(redirect.destinations()).isEmpty();

        RouteDecision direct = sidecar.simulate(Request.get("http://ratings:9080/healthz"));
        assertThat(direct.outcome()).isEqualTo(Outcome.DIRECT_RESPONSE);
        assertThat(direct.route().directResponse().status()).isEqualTo(200);
    }

    @Test
    void anUnknownHostIsPassedThroughUnderAllowAnyAndBlackHoledUnderRegistryOnly() {
        RouteDecision allowAny = sidecar.simulate(Request.get("http://example.org/"));
        assertThat(allowAny.outcome()).isEqualTo(Outcome.PASSTHROUGH);
        assertThat(allowAny.virtualHost()).isNull();
        assertThat(allowAny.routeId()).isEqualTo("PassthroughCluster");

        MeshSettings registryOnly = new MeshSettings(MeshSettings.DEFAULT.domainSuffix(),
                ProxyView.OutboundTrafficPolicy.REGISTRY_ONLY, MeshSettings.DEFAULT.rootNamespace());
        RouteDecision blackHole = simulator(PRODUCTPAGE_V1, registryOnly).simulate(Request.get("http://example.org/"));
        assertThat(blackHole.outcome()).isEqualTo(Outcome.BLACK_HOLE);
    }

    @Test
    void aServicePortOtherThan80NeedsThePortInTheHost() {
        // Envoy lists the port-less domain only for port 80: "reviews" alone means reviews:80, which no service has.
        assertThat(sidecar.simulate(Request.get("http://reviews/")).outcome()).isEqualTo(Outcome.PASSTHROUGH);
    }

    @Test
    void theGatewayRoutesTheHostsOfItsServers() {
        Simulator ingress = simulator(INGRESS, MeshSettings.DEFAULT);

        RouteDecision page = ingress.simulate(Request.get("http://bookinfo.example.com/productpage"));
        assertThat(page.listener()).isEqualTo("gateway/80");
        assertThat(page.routeId()).isEqualTo("default.bookinfo.0");
        assertThat(page.matchIndex()).isZero();
        assertThat(page.destinations()).extracting(Destination::name).containsExactly(PRODUCTPAGE);
        assertThat(page.destinations().get(0).cluster().endpoints()).extracting(EndpointSpec::address)
                .containsExactly("10.0.2.1");

        RouteDecision statics = ingress.simulate(Request.get("http://bookinfo.example.com/static/app.css"));
        assertThat(statics.routeId()).isEqualTo("default.bookinfo.0");
        assertThat(statics.matchIndex()).isEqualTo(1);

        RouteDecision api = ingress.simulate(Request.get("http://bookinfo.example.com/api/v1/products/1"));
        assertThat(api.routeId()).isEqualTo("default.bookinfo.1");
        assertThat(api.route().rewrite().uri()).isEqualTo("/products");
    }

    @Test
    void theGatewayAnswersUnknownHostsAndPortsItself() {
        Simulator ingress = simulator(INGRESS, MeshSettings.DEFAULT);

        assertThat(ingress.simulate(Request.get("http://other.example.com/")).outcome())
                .isEqualTo(Outcome.NO_VIRTUAL_HOST);
        RouteDecision wrongPort = ingress.simulate(Request.get("http://bookinfo.example.com:8443/productpage"));
        assertThat(wrongPort.listener()).isEqualTo("gateway/8443");
        assertThat(wrongPort.outcome()).isEqualTo(Outcome.NO_LISTENER);
        // A Host header overrides the URL's authority, as it would on the wire.
        assertThat(ingress.simulate(Request.get("http://127.0.0.1/productpage").header("Host", "bookinfo.example.com"))
                .routeId()).isEqualTo("default.bookinfo.0");
    }

    @Test
    void sidecarsDoNotSeeGatewayOnlyVirtualServices() {
        assertThat(sidecar.simulate(Request.get("http://bookinfo.example.com/productpage")).outcome())
                .isEqualTo(Outcome.PASSTHROUGH);
    }

    @Test
    void aRelativeUrlWithAHostHeaderKeepsItsPathAndQuery() {
        Simulator ingress = simulator(INGRESS, MeshSettings.DEFAULT);
        Request relative = new Request("GET", java.net.URI.create("/static/app.css?v=1"),
                List.of(Map.entry("Host", "bookinfo.example.com")));

        RouteDecision decision = ingress.simulate(relative);

        assertThat(decision.routeId()).isEqualTo("default.bookinfo.0");
        assertThat(decision.matchIndex()).isEqualTo(1);
    }

    @Test
    void aRelativeUrlWithoutHostIsRejected() {
        assertThatThrownBy(() -> Request.get("/productpage")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected: an absolute URL");
    }

    static Simulator simulator(ProxyIdentity proxy, MeshSettings settings) {
        try {
            return Simulator.of(ProxyViewTranslator.translate(MeshIndex.of(read(FIXTURE), settings), proxy));
        } catch (ViewRejectedException e) {
            throw new AssertionError(e);
        }
    }

    private static List<Resource<?>> read(Path dir) {
        List<Path> files = new ArrayList<>();
        try {
            Files.walkFileTree(dir, new ConfigFiles.Visitor(dir) {
                @Override
                protected void configFile(String relativeName, Path file) {
                    files.add(file);
                }
            });
            List<Resource<?>> resources = new ArrayList<>();
            for (Path file : files.stream().sorted().toList()) {
                ResourceReader.ReadResult read = ResourceReader.read(file.getFileName().toString(), Files.readString(file));
                assertThat(read.diagnostics()).as("reading %s", file).isEmpty();
                resources.addAll(read.resources());
            }
            MeshValidator.ValidationResult validation = MeshValidator.validate(resources);
            assertThat(validation.diagnostics()).as("validation").isEmpty();
            return validation.accepted();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
