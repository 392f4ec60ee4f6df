package dev.meshgate.proxy.loadbalancer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

import dev.meshgate.core.view.EndpointSpec;
import dev.meshgate.core.view.LoadBalancerSpec;

class PriorityLoadBalancerTest {

    private final MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/"));
    private int nextPort = 1;

    private LbEndpoint endpoint(String locality, int priority, int localityWeight) {
        return new LbEndpoint(new EndpointSpec("127.0.0.1", nextPort++, Map.of(), 1, locality, null, priority,
                localityWeight));
    }

    private List<LbEndpoint> endpoints(int count, String locality, int priority, int localityWeight) {
        List<LbEndpoint> list = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            list.add(endpoint(locality, priority, localityWeight));
        }
        return list;
    }

    /** Envoy's documented examples: two levels, P1 fully healthy, by the share of healthy P0 endpoints. */
    @Test
    void priorityLoadFollowsEnvoysTwoLevelTable() {
        assertThat(PriorityLoadBalancer.priorityLoad(new int[] {100, 100}, new int[] {100, 100})).containsExactly(100, 0);
        assertThat(PriorityLoadBalancer.priorityLoad(new int[] {72, 100}, new int[] {100, 100})).containsExactly(100, 0);
        assertThat(PriorityLoadBalancer.priorityLoad(new int[] {71, 100}, new int[] {100, 100})).containsExactly(99, 1);
        assertThat(PriorityLoadBalancer.priorityLoad(new int[] {50, 100}, new int[] {100, 100})).containsExactly(70, 30);
        assertThat(PriorityLoadBalancer.priorityLoad(new int[] {25, 100}, new int[] {100, 100})).containsExactly(35, 65);
        assertThat(PriorityLoadBalancer.priorityLoad(new int[] {0, 100}, new int[] {100, 100})).containsExactly(0, 100);
    }

    @Test
    void priorityLoadSpillsThroughThreeLevels() {
        // 25 % healthy is a health of 35 at P0 and at P1; P2 takes the remaining 30.
        assertThat(PriorityLoadBalancer.priorityLoad(new int[] {25, 25, 100}, new int[] {100, 100, 100}))
                .containsExactly(35, 35, 30);
    }

    @Test
    void priorityLoadIsNormalizedWhenTotalHealthIsBelow100() {
        // P0 gone, P1 half healthy (health 70): normalized total health 70, so P1 takes everything.
        assertThat(PriorityLoadBalancer.priorityLoad(new int[] {0, 1}, new int[] {2, 2})).containsExactly(0, 100);
        // 25 % and 20 % healthy: healths 35 and 28 scaled by 100/63 (55 + 44), the rounding remainder on P0.
        assertThat(PriorityLoadBalancer.priorityLoad(new int[] {25, 20}, new int[] {100, 100})).containsExactly(56, 44);
        // Nothing healthy anywhere: by the levels' sizes (Envoy's total panic).
        assertThat(PriorityLoadBalancer.priorityLoad(new int[] {0, 0}, new int[] {1, 3})).containsExactly(25, 75);
    }

    @Test
    void healthIsTheHealthyShareTimesOverprovisioningCappedAt100() {
        assertThat(PriorityLoadBalancer.health(4, 5)).isEqualTo(100); // 80 % * 1.4 = 112
        assertThat(PriorityLoadBalancer.health(1, 2)).isEqualTo(70);
        assertThat(PriorityLoadBalancer.health(1, 3)).isEqualTo(46);
        assertThat(PriorityLoadBalancer.health(0, 3)).isZero();
    }

    @Test
    void allTrafficStaysAtPriorityZeroWhileItIsHealthyAndFailsOverWhenItIsEjected() {
        List<LbEndpoint> local = endpoints(2, "r/a", 0, 0);
        List<LbEndpoint> remote = endpoints(2, "r/b", 1, 0);
        List<LbEndpoint> all = new ArrayList<>(local);
        all.addAll(remote);
        LoadBalancer lb = LoadBalancer.of(new LoadBalancerSpec(LoadBalancerSpec.Simple.ROUND_ROBIN, null), all, 80);
        assertThat(lb).isInstanceOf(PriorityLoadBalancer.class);
        for (int i = 0; i < 1000; i++) {
            assertThat(local).contains(lb.choose(exchange));
        }
        local.forEach(e -> e.ejected(true));
        assertThat(((PriorityLoadBalancer) lb).priorityLoad()).containsExactly(0, 100);
        for (int i = 0; i < 1000; i++) {
            assertThat(remote).contains(lb.choose(exchange));
        }
        local.forEach(e -> e.ejected(false));
        assertThat(((PriorityLoadBalancer) lb).priorityLoad()).containsExactly(100, 0);
    }

    @Test
    void halfOfPriorityZeroEjectedSendsThirtyPercentToPriorityOne() {
        List<LbEndpoint> local = endpoints(2, "r/a", 0, 0);
        List<LbEndpoint> remote = endpoints(2, "r/b", 1, 0);
        List<LbEndpoint> all = new ArrayList<>(local);
        all.addAll(remote);
        LoadBalancer lb = LoadBalancer.of(LoadBalancerSpec.DEFAULT, all, 80);
        local.get(0).ejected(true);
        int n = 20_000;
        int toRemote = 0;
        for (int i = 0; i < n; i++) {
            LbEndpoint e = lb.choose(exchange);
            assertThat(e).isNotSameAs(local.get(0));
            toRemote += remote.contains(e) ? 1 : 0;
        }
        // Binomial(20000, 0.3): mean 6000, sd 64.8; +-4 sd.
        assertThat(toRemote).isBetween(6000 - 260, 6000 + 260);
    }

    @Test
    void localityWeightsSplitTrafficAndAnEjectedLocalityShedsItsShare() {
        List<LbEndpoint> heavy = endpoints(2, "r/a", 0, 80);
        List<LbEndpoint> light = endpoints(1, "r/b", 0, 20);
        List<LbEndpoint> all = new ArrayList<>(heavy);
        all.addAll(light);
        LoadBalancer lb = LoadBalancer.of(new LoadBalancerSpec(LoadBalancerSpec.Simple.RANDOM, null), all, 80);
        int n = 20_000;
        int toLight = 0;
        for (int i = 0; i < n; i++) {
            toLight += light.contains(lb.choose(exchange)) ? 1 : 0;
        }
        // Binomial(20000, 0.2): mean 4000, sd 56.6; +-4 sd.
        assertThat(toLight).isBetween(4000 - 227, 4000 + 227);
        heavy.forEach(e -> e.ejected(true));
        for (int i = 0; i < 1000; i++) {
            assertThat(lb.choose(exchange)).isSameAs(light.get(0));
        }
    }

    @Test
    void aRetryThatTriedEveryNearEndpointGoesToTheNextPriority() {
        List<LbEndpoint> local = endpoints(1, "r/a", 0, 0);
        List<LbEndpoint> remote = endpoints(1, "r/b", 1, 0);
        List<LbEndpoint> all = new ArrayList<>(local);
        all.addAll(remote);
        LoadBalancer lb = LoadBalancer.of(LoadBalancerSpec.DEFAULT, all, 80);
        assertThat(lb.choose(exchange, local, false)).isSameAs(remote.get(0));
        assertThat(lb.choose(exchange, all, false)).isNull();
    }

    @Test
    void endpointsWithoutPrioritiesOrWeightsKeepThePlainPolicy() {
        List<LbEndpoint> all = endpoints(3, "r/a", 0, 0);
        assertThat(LoadBalancer.of(LoadBalancerSpec.DEFAULT, all, 80)).isNotInstanceOf(PriorityLoadBalancer.class);
    }
}
