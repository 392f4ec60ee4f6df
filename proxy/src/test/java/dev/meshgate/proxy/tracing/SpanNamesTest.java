package dev.meshgate.proxy.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.meshgate.core.view.HeaderOps;
import dev.meshgate.core.view.MatchSpec;
import dev.meshgate.core.view.MatchSpec.StringMatchSpec;
import dev.meshgate.core.view.RouteSpec;
import dev.meshgate.core.view.RouteSpec.RouteAction;
import dev.meshgate.core.view.RouteSpec.WeightedCluster;

/** Span names as pilot's route decorators. */
class SpanNamesTest {

    private static RouteSpec route(String id, List<String> clusters, StringMatchSpec uri) {
        List<MatchSpec> matches = uri == null ? List.of()
                : List.of(new MatchSpec(uri, null, null, null, Map.of(), Map.of(), Map.of(), null, false));
        return new RouteSpec(id, null, matches, new RouteAction(clusters.stream()
                .map(c -> new WeightedCluster(c, 100 / clusters.size(), HeaderOps.NONE, HeaderOps.NONE)).toList()),
                null, null, null, HeaderOps.NONE, HeaderOps.NONE);
    }

    @Test
    void oneDestinationNamesItsServiceAndPortWithTheMatchedPath() {
        assertThat(SpanNames.of(route("default.reviews.0", List.of("outbound|9080|v2|reviews.default.svc.cluster.local"),
                new StringMatchSpec(StringMatchSpec.Type.PREFIX, "/api")), "reviews.default.svc.cluster.local:9080"))
                .isEqualTo("reviews.default.svc.cluster.local:9080/api*");
        assertThat(SpanNames.of(route("default.reviews.0", List.of("outbound|9080||reviews.default.svc.cluster.local"),
                new StringMatchSpec(StringMatchSpec.Type.EXACT, "/health")), "reviews.default.svc.cluster.local:9080"))
                .isEqualTo("reviews.default.svc.cluster.local:9080/health");
        assertThat(SpanNames.of(route("default.outbound|80||web.default.svc.cluster.local",
                List.of("outbound|80||web.default.svc.cluster.local"), null), "web.default.svc.cluster.local:80"))
                .isEqualTo("web.default.svc.cluster.local:80/*");
    }

    @Test
    void severalDestinationsNameTheVirtualServiceAndThePort() {
        assertThat(SpanNames.of(route("default.reviews-split.1", List.of("outbound|9080|v1|reviews.default.svc.cluster.local",
                "outbound|9080|v2|reviews.default.svc.cluster.local"), null), "reviews.default.svc.cluster.local:9080"))
                .isEqualTo("reviews-split:9080/*");
    }

    @Test
    void theInboundRouteIsNamedAfterItsVirtualHostWhenThatNamesAServiceElseAfterTheCalledHost() {
        RouteSpec inbound = route("inbound.default", List.of("inbound|8080||"), null);
        assertThat(SpanNames.of(inbound, "echo.default.svc.cluster.local:9090"))
                .isEqualTo("echo.default.svc.cluster.local:9090/*");
        assertThat(SpanNames.of(inbound, "inbound")).isEqualTo(SpanNames.CALLED_HOST);
        assertThat(SpanNames.of(route("inbound.passthrough", List.of("InboundPassthroughCluster"), null),
                "inbound-passthrough")).isEqualTo(SpanNames.CALLED_HOST);
    }
}
