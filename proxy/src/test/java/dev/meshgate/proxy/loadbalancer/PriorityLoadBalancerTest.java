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
    void aRetryThatTriedEveryNearEndpointStaysInItsPriorityAsEnvoysPreviousHostsPredicateDoes() {
        List<LbEndpoint> local = endpoints(1, "r/a", 0, 0);
        List<LbEndpoint> remote = endpoints(1, "r/b", 1, 0);
        List<LbEndpoint> all = new ArrayList<>(local);
        all.addAll(remote);
        LoadBalancer lb = LoadBalancer.of(LoadBalancerSpec.DEFAULT, all, 80);
        // P1 takes no load: it is no fallback (the caller then goes back to a tried endpoint of P0).
        assertThat(lb.choose(exchange, local, false)).isNull();
        assertThat(lb.choose(exchange, all, false)).isNull();
    }

    @Test
    void aRetryThatTriedEveryEndpointOfAnEjectedLevelsNeighbourGoesToTheOtherLevelsWithLoad() {
        List<LbEndpoint> local = endpoints(2, "r/a", 0, 0);
        List<LbEndpoint> remote = endpoints(2, "r/b", 1, 0);
        List<LbEndpoint> all = new ArrayList<>(local);
        all.addAll(remote);
        LoadBalancer lb = LoadBalancer.of(LoadBalancerSpec.DEFAULT, all, 80);
        local.get(0).ejected(true);
        // 70/30: whichever level is drawn, the one endpoint not tried nor ejected is found.
        for (int i = 0; i < 200; i++) {
            assertThat(lb.choose(exchange, List.of(local.get(1), remote.get(0)), false)).isSameAs(remote.get(1));
        }
    }

    @Test
    void previousPrioritiesKeepTheLoadForTwoTriesThenAvoidTheLevelsTried() {
        List<LbEndpoint> local = endpoints(2, "r/a", 0, 0);
        List<LbEndpoint> zone = endpoints(1, "r/b", 1, 0);
        List<LbEndpoint> region = endpoints(1, "s/c", 2, 0);
        List<LbEndpoint> all = new ArrayList<>(local);
        all.addAll(zone);
        all.addAll(region);
        LoadBalancer lb = LoadBalancer.of(LoadBalancerSpec.DEFAULT, all, 80);
        for (int i = 0; i < 200; i++) {
            PreviousPriorities priorities = PreviousPriorities.istio();
            LbEndpoint first = lb.choose(exchange, List.of(), false, priorities);
            assertThat(local).contains(first);
            priorities.attempted(first);
            // update_frequency 2: the first retry still follows the cluster's load (P0, the other local endpoint)
            LbEndpoint second = lb.choose(exchange, List.of(first), false, priorities);
            assertThat(local).contains(second);
            priorities.attempted(second);
            // the second retry avoids P0: P1 is fully healthy and takes everything
            LbEndpoint third = lb.choose(exchange, List.of(first, second), false, priorities);
            assertThat(third).isSameAs(zone.get(0));
            priorities.attempted(third);
            // the third retry keeps the last exclusion (P0 only; updated every second try): P1 again
            assertThat(lb.choose(exchange, List.of(), false, priorities)).isSameAs(zone.get(0));
            priorities.attempted(zone.get(0));
            // the fourth retry excludes P0 and P1: P2
            assertThat(lb.choose(exchange, List.of(), false, priorities)).isSameAs(region.get(0));
        }
    }

    @Test
    void previousPrioritiesStartOverWhenTheLevelsLeftHaveNoHealth() {
        List<LbEndpoint> local = endpoints(1, "r/a", 0, 0);
        List<LbEndpoint> remote = endpoints(1, "r/b", 1, 0);
        List<LbEndpoint> all = new ArrayList<>(local);
        all.addAll(remote);
        LoadBalancer lb = LoadBalancer.of(LoadBalancerSpec.DEFAULT, all, 80);
        remote.get(0).ejected(true);
        PreviousPriorities priorities = PreviousPriorities.istio();
        priorities.attempted(local.get(0));
        priorities.attempted(local.get(0));
        // P0 excluded, P1 has no health: the tried levels are forgotten and P0's load applies
        assertThat(lb.choose(exchange, List.of(), false, priorities)).isSameAs(local.get(0));
        assertThat(priorities.excluded()).isZero();
    }

    @Test
    void previousPrioritiesSpreadOverTheRemainingLevelsByTheirHealth() {
        // Envoy's example: healths {100, 50, 50}; P0 excluded gives {0, 50, 50}.
        List<LbEndpoint> p0 = endpoints(2, "r/a", 0, 0);
        List<LbEndpoint> p1 = endpoints(28, "r/b", 1, 0);
        List<LbEndpoint> p2 = endpoints(28, "s/c", 2, 0);
        List<LbEndpoint> all = new ArrayList<>(p0);
        all.addAll(p1);
        all.addAll(p2);
        LoadBalancer lb = LoadBalancer.of(new LoadBalancerSpec(LoadBalancerSpec.Simple.RANDOM, null), all, 80);
        // 10 of 28 un-ejected: health 140 * 10 / 28 = 50
        for (int i = 10; i < 28; i++) {
            p1.get(i).ejected(true);
            p2.get(i).ejected(true);
        }
        int n = 20_000;
        int toP1 = 0;
        for (int i = 0; i < n; i++) {
            PreviousPriorities priorities = PreviousPriorities.istio();
            priorities.attempted(p0.get(0));
            priorities.attempted(p0.get(1));
            LbEndpoint e = lb.choose(exchange, List.of(), false, priorities);
            assertThat(p0).doesNotContain(e);
            toP1 += p1.contains(e) ? 1 : 0;
        }
        // Binomial(20000, 0.5): mean 10000, sd 70.7; +-4 sd.
        assertThat(toP1).isBetween(10000 - 283, 10000 + 283);
    }

    @Test
    void aLevelBelowTheMinHealthPercentBalancesOverAllItsEndpointsWhileTheOthersKeepTheirHealthyOnes() {
        List<LbEndpoint> local = endpoints(4, "r/a", 0, 0);
        List<LbEndpoint> remote = endpoints(4, "r/b", 1, 0);
        List<LbEndpoint> all = new ArrayList<>(local);
        all.addAll(remote);
        LoadBalancer lb = LoadBalancer.of(new LoadBalancerSpec(LoadBalancerSpec.Simple.RANDOM, null), all, 80, 50);
        // 1 of 4 local endpoints healthy: 25 % < 50 %, P0 in panic (the cluster as a whole, 5 of 8, is not);
        // one remote endpoint ejected: 75 %, P1 not in panic.
        local.subList(1, 4).forEach(e -> e.ejected(true));
        remote.get(0).ejected(true);
        assertThat(lb.priorityLevels()).containsExactly(
                new PriorityLevelStatus(0, 4, 1, 35, 35, true),
                new PriorityLevelStatus(1, 4, 3, 100, 65, false));
        int n = 20_000;
        int toEjectedLocal = 0;
        for (int i = 0; i < n; i++) {
            LbEndpoint e = lb.choose(exchange);
            assertThat(e).isNotSameAs(remote.get(0));
            toEjectedLocal += local.subList(1, 4).contains(e) ? 1 : 0;
        }
        // P0 takes 35 %, 3 of its 4 endpoints ejected: Binomial(20000, 0.2625), mean 5250, sd 62.2; +-4 sd
        assertThat(toEjectedLocal).isBetween(5250 - 249, 5250 + 249);
    }

    @Test
    void withoutAPanicThresholdALevelKeepsToItsHealthyEndpoints() {
        List<LbEndpoint> local = endpoints(4, "r/a", 0, 0);
        List<LbEndpoint> remote = endpoints(4, "r/b", 1, 0);
        List<LbEndpoint> all = new ArrayList<>(local);
        all.addAll(remote);
        LoadBalancer lb = LoadBalancer.of(LoadBalancerSpec.DEFAULT, all, 80);
        local.subList(1, 4).forEach(e -> e.ejected(true));
        assertThat(lb.priorityLevels()).extracting(PriorityLevelStatus::panic).containsExactly(false, false);
        for (int i = 0; i < 1000; i++) {
            assertThat(local.subList(1, 4)).doesNotContain(lb.choose(exchange));
        }
    }

    @Test
    void endpointsWithoutPrioritiesOrWeightsKeepThePlainPolicy() {
        List<LbEndpoint> all = endpoints(3, "r/a", 0, 0);
        assertThat(LoadBalancer.of(LoadBalancerSpec.DEFAULT, all, 80)).isNotInstanceOf(PriorityLoadBalancer.class);
    }
}
