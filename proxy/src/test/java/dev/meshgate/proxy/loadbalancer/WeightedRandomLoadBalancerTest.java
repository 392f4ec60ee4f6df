package dev.meshgate.proxy.loadbalancer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

import dev.meshgate.core.view.EndpointSpec;

class WeightedRandomLoadBalancerTest {

    private final MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/"));

    static LbEndpoint endpoint(int port, int weight) {
        return new LbEndpoint(new EndpointSpec("127.0.0.1", port, Map.of(), weight, null, null));
    }

    @Test
    void picksInProportionToWeight() {
        LbEndpoint a = endpoint(1, 3);
        LbEndpoint b = endpoint(2, 1);
        LoadBalancer lb = WeightedRandomLoadBalancer.of(List.of(a, b));
        int n = 40_000;
        Map<LbEndpoint, Integer> counts = new HashMap<>();
        for (int i = 0; i < n; i++) {
            counts.merge(lb.choose(exchange), 1, Integer::sum);
        }
        // b ~ Binomial(40000, 0.25): mean 10000, sd 87; +-500 is over 5 sd, and round robin order is not checked
        // here but 50/50 (20000) is far outside.
        assertThat(counts.get(b)).isBetween(9_500, 10_500);
    }

    @Test
    void successivePicksAreNotInTurn() {
        LbEndpoint a = endpoint(1, 1);
        LbEndpoint b = endpoint(2, 1);
        LoadBalancer lb = WeightedRandomLoadBalancer.of(List.of(a, b));
        int repeats = 0;
        LbEndpoint last = null;
        for (int i = 0; i < 2000; i++) {
            LbEndpoint e = lb.choose(exchange);
            repeats += e == last ? 1 : 0;
            last = e;
        }
        // Random picks repeat the previous one half of the time (sd 22); round robin never does.
        assertThat(repeats).isBetween(800, 1200);
    }

    @Test
    void skipsEjectedAndTriedEndpoints() {
        LbEndpoint a = endpoint(1, 100);
        LbEndpoint b = endpoint(2, 1);
        LbEndpoint c = endpoint(3, 1);
        LoadBalancer lb = WeightedRandomLoadBalancer.of(List.of(a, b, c));
        a.ejected(true);
        for (int i = 0; i < 200; i++) {
            assertThat(lb.choose(exchange, List.of(b), false)).isSameAs(c);
        }
        assertThat(lb.choose(exchange, List.of(b, c), false)).isNull();
    }
}
