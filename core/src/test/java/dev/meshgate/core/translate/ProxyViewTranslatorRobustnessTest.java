package dev.meshgate.core.translate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.meshgate.core.index.MeshIndex;
import dev.meshgate.core.index.MeshSettings;
import dev.meshgate.core.validation.MeshValidator;
import dev.meshgate.core.view.ClusterSpec;
import dev.meshgate.core.view.ListenerSpec;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.ProxyKind;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.view.ProxyViewCheck;
import dev.meshgate.core.view.RouteSpec;
import dev.meshgate.core.view.VirtualHostSpec;
import dev.meshgate.core.yaml.ResourceReader;

/**
 * Whatever validation accepts translates: the validation fixtures (full of edge cases, with warnings) give
 * consistent views for a sidecar and a gateway, every cluster a route names is in the view, no domain twice.
 */
class ProxyViewTranslatorRobustnessTest {

    static Stream<Path> inputs() throws IOException {
        Path validation = Path.of("src/test/resources/fixtures/validation");
        Path translate = ProxyViewTranslatorFixturesTest.FIXTURES;
        try (Stream<Path> a = Files.walk(validation); Stream<Path> b = Files.walk(translate)) {
            return Stream.concat(a.toList().stream(), b.toList().stream())
                    .filter(p -> p.getFileName().toString().equals("input.yaml")).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("inputs")
    void acceptedResourcesTranslateToConsistentViews(Path input) throws IOException {
        var read = ResourceReader.read(input.toString(), Files.readString(input));
        MeshIndex index = MeshIndex.of(MeshValidator.validate(read.resources()).accepted(), MeshSettings.DEFAULT);

        for (ProxyIdentity proxy : List.of(
                new ProxyIdentity("client-1", "default", ProxyKind.SIDECAR, Map.of("app", "client"), null),
                new ProxyIdentity("ingress-1", "istio-system", ProxyKind.GATEWAY,
                        Map.of("istio", "ingressgateway"), null))) {
            assertConsistent(ProxyViewTranslator.translate(index, proxy));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("inputs")
    void evenRejectedResourcesTranslateWithoutThrowing(Path input) throws IOException {
        var read = ResourceReader.read(input.toString(), Files.readString(input));
        MeshIndex index = MeshIndex.of(read.resources(), MeshSettings.DEFAULT);
        for (ProxyIdentity proxy : List.of(
                new ProxyIdentity("client-1", "default", ProxyKind.SIDECAR, Map.of("app", "client"), null),
                new ProxyIdentity("ingress-1", "istio-system", ProxyKind.GATEWAY,
                        Map.of("istio", "ingressgateway"), null))) {
            ProxyView view = ProxyViewTranslator.translate(index, proxy);
            assertPoliciesInRange(view);
        }
    }

    private static void assertConsistent(ProxyView view) {
        assertThat(ProxyViewCheck.check(view)).as("what a proxy refuses").isEmpty();
        List<String> clusterNames = view.clusters().stream().map(ClusterSpec::name).toList();
        assertThat(clusterNames).doesNotHaveDuplicates().isSorted();
        for (ListenerSpec listener : view.listeners()) {
            List<String> domains = listener.virtualHosts().stream().flatMap(vh -> vh.domains().stream()).toList();
            assertThat(domains).as(listener.name()).doesNotHaveDuplicates();
            for (VirtualHostSpec virtualHost : listener.virtualHosts()) {
                assertThat(virtualHost.domains()).isNotEmpty();
                for (RouteSpec route : virtualHost.routes()) {
                    int actions = (route.route() != null ? 1 : 0) + (route.redirect() != null ? 1 : 0)
                            + (route.directResponse() != null ? 1 : 0);
                    assertThat(actions).as(route.id()).isEqualTo(1);
                    if (route.route() != null) {
                        assertThat(route.route().clusters()).isNotEmpty();
                        route.route().clusters().forEach(c -> assertThat(clusterNames).contains(c.cluster()));
                    }
                    route.mirrors().forEach(m -> assertThat(clusterNames).as(route.id()).contains(m.cluster()));
                }
            }
        }
        assertPoliciesInRange(view);
    }

    /** Whatever the input, the view's policy values are within what the runtime accepts. */
    private static void assertPoliciesInRange(ProxyView view) {
        for (ListenerSpec listener : view.listeners()) {
            for (VirtualHostSpec virtualHost : listener.virtualHosts()) {
                for (RouteSpec route : virtualHost.routes()) {
                    assertThat(route.timeoutMillis()).as(route.id()).isNotNegative();
                    if (route.retries() != null) {
                        assertThat(route.retries().attempts()).as(route.id()).isPositive();
                        assertThat(route.retries().perTryTimeoutMillis()).as(route.id()).isNotNegative();
                        assertThat(route.retries().retriableStatusCodes()).allMatch(c -> c >= 100 && c <= 599);
                    }
                    if (route.fault() != null) {
                        assertThat(route.fault().delay() != null || route.fault().abort() != null).isTrue();
                        if (route.fault().delay() != null) {
                            assertThat(route.fault().delay().fixedDelayMillis()).isPositive();
                            assertThat(route.fault().delay().percentage()).isBetween(0.0, 100.0);
                        }
                        if (route.fault().abort() != null) {
                            assertThat(route.fault().abort().percentage()).isBetween(0.0, 100.0);
                        }
                    }
                    route.mirrors().forEach(m -> assertThat(m.percentage()).isGreaterThan(0.0).isLessThanOrEqualTo(100.0));
                }
            }
        }
        for (ClusterSpec cluster : view.clusters()) {
            var pool = cluster.trafficPolicy().connectionPool();
            assertThat(pool.maxConnections()).as(cluster.name()).isPositive();
            assertThat(pool.http1MaxPendingRequests()).isPositive();
            assertThat(pool.http2MaxRequests()).isPositive();
            assertThat(pool.maxRetries()).isPositive();
            assertThat(pool.maxRequestsPerConnection()).isNotNegative();
            assertThat(pool.connectTimeoutMillis()).isPositive();
            assertThat(pool.idleTimeoutMillis()).isNotNegative();
            var hash = cluster.trafficPolicy().loadBalancer().consistentHash();
            if (hash != null) {
                assertThat(hash.tableSize()).as(cluster.name()).isPositive();
            }
            var outlier = cluster.trafficPolicy().outlierDetection();
            if (outlier != null) {
                assertThat(outlier.consecutive5xxErrors()).isNotNegative();
                assertThat(outlier.consecutiveGatewayErrors()).isNotNegative();
                assertThat(outlier.intervalMillis()).isPositive();
                assertThat(outlier.baseEjectionTimeMillis()).isPositive();
                assertThat(outlier.maxEjectionPercent()).isBetween(1, 100);
                assertThat(outlier.minHealthPercent()).isBetween(0, 100);
            }
        }
    }
}
