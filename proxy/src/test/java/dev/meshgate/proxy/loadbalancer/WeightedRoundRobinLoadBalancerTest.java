package dev.meshgate.proxy.loadbalancer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

import dev.meshgate.core.view.EndpointSpec;

class WeightedRoundRobinLoadBalancerTest {

    private static LbEndpoint endpoint(int port, int weight) {
        return new LbEndpoint(new EndpointSpec("127.0.0.1", port, Map.of(), weight, null, null));
    }

    private final MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/"));

    @Test
    void everyScheduleRoundServesEachEndpointInProportionToItsWeight() {
        LbEndpoint a = endpoint(1, 3);
        LbEndpoint b = endpoint(2, 1);
        LbEndpoint c = endpoint(3, 0); // a missing weight counts as 1
        LoadBalancer lb = WeightedRoundRobinLoadBalancer.of(List.of(a, b, c));
        Map<LbEndpoint, Integer> counts = new HashMap<>();
        for (int i = 0; i < 500; i++) {
            counts.merge(lb.choose(exchange), 1, Integer::sum);
        }
        assertThat(counts).containsEntry(a, 300).containsEntry(b, 100).containsEntry(c, 100);
    }

    @Test
    void heavyEndpointsAreInterleavedNotBunched() {
        LbEndpoint a = endpoint(1, 2);
        LbEndpoint b = endpoint(2, 1);
        LbEndpoint[] schedule = WeightedRoundRobinLoadBalancer.schedule(List.of(a, b));
        assertThat(schedule).containsExactly(a, b, a);
    }

    @Test
    void noEndpointsChooseNothing() {
        assertThat(WeightedRoundRobinLoadBalancer.of(List.of()).choose(exchange)).isNull();
    }

    @Test
    void hugeWeightsAreScaledIntoABoundedSchedule() {
        LbEndpoint a = endpoint(1, 1_000_000);
        LbEndpoint b = endpoint(2, 999_999);
        LbEndpoint[] schedule = WeightedRoundRobinLoadBalancer.schedule(List.of(a, b));
        assertThat(schedule.length).isLessThanOrEqualTo(4097);
        assertThat(List.of(schedule)).contains(a, b);
    }

    @Test
    void ejectedEndpointsTurnsAreSpreadOverTheOthersNotGivenToItsSuccessor() {
        LbEndpoint a = endpoint(1, 1);
        LbEndpoint b = endpoint(2, 1);
        LbEndpoint c = endpoint(3, 1);
        LbEndpoint d = endpoint(4, 1);
        LoadBalancer lb = WeightedRoundRobinLoadBalancer.of(List.of(a, b, c, d));
        b.ejected(true);
        Map<LbEndpoint, Integer> counts = new HashMap<>();
        for (int i = 0; i < 3000; i++) {
            counts.merge(lb.choose(exchange), 1, Integer::sum);
        }
        assertThat(counts).doesNotContainKey(b);
        assertThat(counts.values()).allSatisfy(count -> assertThat(count).isBetween(990, 1010));
    }

    @Test
    void aRetrySkipsTheEndpointsAlreadyTriedAndNothingEligibleGivesNull() {
        LbEndpoint a = endpoint(1, 1);
        LbEndpoint b = endpoint(2, 1);
        LoadBalancer lb = WeightedRoundRobinLoadBalancer.of(List.of(a, b));
        for (int i = 0; i < 10; i++) {
            assertThat(lb.choose(exchange, List.of(a), false)).isSameAs(b);
        }
        assertThat(lb.choose(exchange, List.of(a, b), false)).isNull();
        a.ejected(true);
        assertThat(lb.choose(exchange, List.of(b), false)).isNull();
        assertThat(lb.choose(exchange, List.of(b), true)).isSameAs(a);
    }
}
