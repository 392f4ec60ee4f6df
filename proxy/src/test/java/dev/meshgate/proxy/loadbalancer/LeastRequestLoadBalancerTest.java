package dev.meshgate.proxy.loadbalancer;

import static dev.meshgate.proxy.loadbalancer.WeightedRandomLoadBalancerTest.endpoint;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

class LeastRequestLoadBalancerTest {

    private final MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/"));

    @Test
    void twoChoicesAvoidTheEndpointWithRequestsInFlight() {
        LbEndpoint busy = endpoint(1, 1);
        LbEndpoint b = endpoint(2, 1);
        LbEndpoint c = endpoint(3, 1);
        for (int i = 0; i < 5; i++) {
            busy.requestStarted();
        }
        LoadBalancer lb = LeastRequestLoadBalancer.of(List.of(busy, b, c));
        Map<LbEndpoint, Integer> counts = new HashMap<>();
        for (int i = 0; i < 3000; i++) {
            counts.merge(lb.choose(exchange), 1, Integer::sum);
        }
        // The busy endpoint loses every comparison, and two distinct draws always include an idle one.
        assertThat(counts).doesNotContainKey(busy);
        assertThat(counts.get(b)).isBetween(1300, 1700);
    }

    @Test
    void idleEndpointsWithEqualWeightsShareEvenly() {
        LbEndpoint a = endpoint(1, 1);
        LbEndpoint b = endpoint(2, 1);
        LoadBalancer lb = LeastRequestLoadBalancer.of(List.of(a, b));
        int toA = 0;
        for (int i = 0; i < 4000; i++) {
            toA += lb.choose(exchange) == a ? 1 : 0;
        }
        // With nothing in flight a tie keeps the first draw: Binomial(4000, 0.5), sd 32.
        assertThat(toA).isBetween(1800, 2200);
    }

    @Test
    void unequalWeightsDivideEachWeightByItsRequestsInFlightPlusOne() {
        LbEndpoint heavy = endpoint(1, 4);
        LbEndpoint light = endpoint(2, 1);
        LoadBalancer lb = LeastRequestLoadBalancer.of(List.of(heavy, light));
        int toHeavy = 0;
        for (int i = 0; i < 10_000; i++) {
            toHeavy += lb.choose(exchange) == heavy ? 1 : 0;
        }
        // 4:1 when idle: mean 8000, sd 40.
        assertThat(toHeavy).isBetween(7800, 8200);
        for (int i = 0; i < 7; i++) {
            heavy.requestStarted();
        }
        toHeavy = 0;
        for (int i = 0; i < 10_000; i++) {
            toHeavy += lb.choose(exchange) == heavy ? 1 : 0;
        }
        // 4/8 : 1/1 = 1:2 with 7 in flight: mean 3333, sd 47.
        assertThat(toHeavy).isBetween(3100, 3560);
    }

    @Test
    void skipsEjectedEndpoints() {
        LbEndpoint a = endpoint(1, 1);
        LbEndpoint b = endpoint(2, 1);
        LbEndpoint c = endpoint(3, 1);
        LoadBalancer lb = LeastRequestLoadBalancer.of(List.of(a, b, c));
        a.ejected(true);
        b.ejected(true);
        for (int i = 0; i < 100; i++) {
            assertThat(lb.choose(exchange)).isSameAs(c);
        }
        assertThat(lb.choose(exchange, List.of(c), false)).isNull();
    }
}
