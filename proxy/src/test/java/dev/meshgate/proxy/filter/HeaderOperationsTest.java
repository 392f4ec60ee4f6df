package dev.meshgate.proxy.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

import dev.meshgate.core.view.HeaderOps;

/** Istio's header operations in Envoy's order (remove, then set, then add; weighted destination before route). */
class HeaderOperationsTest {

    private static HttpHeaders requestAfter(HeaderOperations ops, String... headers) {
        MockServerHttpRequest.BaseBuilder<?> request = MockServerHttpRequest.get("http://web/a?b=1")
                .header("Host", "web");
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return ops.applyToRequest(MockServerWebExchange.from(request)).getRequest().getHeaders();
    }

    private static HeaderOps ops(Map<String, String> set, Map<String, String> add, List<String> remove) {
        return new HeaderOps(set, add, remove);
    }

    @Test
    void removeComesBeforeSetAndAddWhateverTheirOrderInTheYaml() {
        HeaderOperations ops = HeaderOperations.of(ops(Map.of("x-a", "set"), Map.of("x-b", "added"),
                List.of("x-a", "x-b")));
        HttpHeaders headers = requestAfter(ops, "x-a", "client", "x-b", "client");
        assertThat(headers.get("x-a")).containsExactly("set");
        assertThat(headers.get("x-b")).containsExactly("added");
    }

    @Test
    void setOverwritesThenAddAppends() {
        HeaderOperations ops = HeaderOperations.of(ops(Map.of("x-a", "set"), Map.of("x-a", "added"), List.of()));
        assertThat(requestAfter(ops, "x-a", "client").get("x-a")).containsExactly("set", "added");
    }

    @Test
    void aLoneDestinationJoinsTheRouteParserSoAllSetsPrecedeAllAdds() {
        HeaderOps route = ops(Map.of(), Map.of("x-a", "route"), List.of());
        HeaderOps destination = ops(Map.of("x-a", "destination"), Map.of(), List.of("x-a"));
        HttpHeaders headers = requestAfter(HeaderOperations.merged(route, destination), "x-a", "client");
        assertThat(headers.get("x-a")).containsExactly("destination", "route");
    }

    @Test
    void aWeightedDestinationIsEvaluatedBeforeTheRouteSoTheRouteSetWins() {
        HeaderOps route = ops(Map.of("x-a", "route"), Map.of(), List.of());
        HeaderOps destination = ops(Map.of("x-a", "destination"), Map.of("x-b", "destination"), List.of());
        HeaderOps routeRemovesB = ops(Map.of(), Map.of(), List.of("x-b"));
        HttpHeaders headers = requestAfter(HeaderOperations.of(destination).then(HeaderOperations.of(route)));
        assertThat(headers.get("x-a")).containsExactly("route");
        assertThat(requestAfter(HeaderOperations.of(destination).then(HeaderOperations.of(routeRemovesB)))
                .get("x-b")).isNull();
    }

    @Test
    void anEmptyValueIsNotSetNorAdded() {
        HeaderOperations ops = HeaderOperations.of(ops(Map.of("x-a", "", "x-c", "%REQ(x-missing)%"),
                Map.of("x-b", ""), List.of()));
        HttpHeaders headers = requestAfter(ops, "x-a", "client");
        assertThat(headers.get("x-a")).containsExactly("client");
        assertThat(headers.containsHeader("x-b")).isFalse();
        assertThat(headers.containsHeader("x-c")).isFalse();
    }

    @Test
    void valuesAreExpandedAgainstTheHeadersAsTheyAreBeforeAnySet() {
        HeaderOperations ops = HeaderOperations.of(ops(Map.of("x-copy", "%REQ(x-orig)%", "x-orig", "new"),
                Map.of("x-gone", "[%REQ(x-removed)%]"), List.of("x-removed")));
        HttpHeaders headers = requestAfter(ops, "x-orig", "old", "x-removed", "r");
        assertThat(headers.get("x-copy")).containsExactly("old");
        assertThat(headers.get("x-orig")).containsExactly("new");
        assertThat(headers.get("x-gone")).containsExactly("[]");
    }

    @Test
    void requestCommandsExpandFromTheRequest() {
        HeaderOperations ops = HeaderOperations.of(ops(Map.of(
                "x-authority", "%REQ(:AUTHORITY)%",
                "x-path", "%REQ(:path)%",
                "x-method", "%REQ(:method)%",
                "x-alt", "%REQ(x-none?X-Other)%",
                "x-cut", "%REQ(x-other):3%",
                "x-percent", "100%% of %REQ(x-other)%",
                "x-resp", "%RESP(x-other)%",
                "x-upstream", "%UPSTREAM_REMOTE_ADDRESS%"), Map.of(), List.of()));
        HttpHeaders headers = requestAfter(ops, "x-other", "other-value");
        assertThat(headers.getFirst("x-authority")).isEqualTo("web");
        assertThat(headers.getFirst("x-path")).isEqualTo("/a?b=1");
        assertThat(headers.getFirst("x-method")).isEqualTo("GET");
        assertThat(headers.getFirst("x-alt")).isEqualTo("other-value");
        assertThat(headers.getFirst("x-cut")).isEqualTo("oth");
        assertThat(headers.getFirst("x-percent")).isEqualTo("100% of other-value");
        // response headers and the upstream endpoint do not exist yet when request headers are set
        assertThat(headers.containsHeader("x-resp")).isFalse();
        assertThat(headers.containsHeader("x-upstream")).isFalse();
    }

    @Test
    void startTimeUsesEnvoysDefaultFormatOrTheOneGiven() {
        long before = System.currentTimeMillis() / 1000;
        HeaderOperations ops = HeaderOperations.of(ops(Map.of("x-default", "%START_TIME%",
                "x-epoch", "%START_TIME(%s)%", "x-custom", "%START_TIME(%Y/%m/%d %H:%M:%E3S %%)%"), Map.of(),
                List.of()));
        HttpHeaders headers = requestAfter(ops);
        long after = System.currentTimeMillis() / 1000;
        assertThat(headers.getFirst("x-default")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        assertThat(Long.parseLong(headers.getFirst("x-epoch"))).isBetween(before, after);
        assertThat(headers.getFirst("x-custom")).matches("\\d{4}/\\d\\d/\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} %");
    }

    @Test
    void aValueEnvoyCannotExpandIsRefusedAtCompileTime() {
        assertThatThrownBy(() -> HeaderOperations.of(ops(Map.of("x-a", "%NOPE%"), Map.of(), List.of())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown command %NOPE%");
    }
}
