package dev.meshgate.proxy.loadbalancer;

import static dev.meshgate.proxy.loadbalancer.WeightedRandomLoadBalancerTest.endpoint;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpCookie;
import org.springframework.http.ResponseCookie;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

import dev.meshgate.core.view.LoadBalancerSpec.Algorithm;
import dev.meshgate.core.view.LoadBalancerSpec.ConsistentHashSpec;
import dev.meshgate.core.view.LoadBalancerSpec.HashKey;

class ConsistentHashLoadBalancerTest {

    private static final int KEYS = 20_000;

    private static List<LbEndpoint> endpoints(int n) {
        List<LbEndpoint> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(endpoint(9000 + i, 1));
        }
        return list;
    }

    private static ConsistentHashSpec header(Algorithm algorithm) {
        return new ConsistentHashSpec(HashKey.HEADER, "User", null, 0, algorithm, 0);
    }

    private static MockServerWebExchange user(String name) {
        return MockServerWebExchange.from(MockServerHttpRequest.get("/").header("User", name));
    }

    private static Map<String, LbEndpoint> assign(LoadBalancer lb) {
        Map<String, LbEndpoint> map = new HashMap<>();
        for (int i = 0; i < 500; i++) {
            map.put("user-" + i, lb.choose(user("user-" + i)));
        }
        return map;
    }

    /** The table lookups of many keys (the exchange-level path is covered by the tests above). */
    private static Map<String, LbEndpoint> assign(HashTable table) {
        Map<String, LbEndpoint> map = new HashMap<>();
        for (int i = 0; i < KEYS; i++) {
            String key = "user-" + i;
            map.put(key, table.pick(KeyHash.of(key), List.of(), false));
        }
        return map;
    }

    private static HashTable table(Algorithm algorithm, List<LbEndpoint> endpoints) {
        return algorithm == Algorithm.MAGLEV ? MaglevTable.of(endpoints, 65537) : RingHashTable.of(endpoints, 1024);
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void aKeyAlwaysReachesTheSameEndpointAndKeysSpreadEvenly(Algorithm algorithm) {
        List<LbEndpoint> endpoints = endpoints(5);
        LoadBalancer lb = ConsistentHashLoadBalancer.of(header(algorithm), endpoints);
        assertThat(assign(lb)).isEqualTo(assign(lb));
        Map<String, LbEndpoint> first = assign(table(algorithm, endpoints));
        Map<LbEndpoint, Integer> load = new HashMap<>();
        first.values().forEach(e -> load.merge(e, 1, Integer::sum));
        // 4000 keys each on average; a ring of 1024 points (~205 per endpoint) or the Maglev table keeps every
        // share within 25 %, while a broken hash (every key on one endpoint) fails.
        assertThat(load).hasSize(5);
        assertThat(load.values()).allSatisfy(count -> assertThat(count).isBetween(3000, 5000));
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void ejectingOneOfTenEndpointsMovesOnlyItsOwnKeys(Algorithm algorithm) {
        List<LbEndpoint> endpoints = endpoints(10);
        HashTable table = table(algorithm, endpoints);
        Map<String, LbEndpoint> before = assign(table);
        LbEndpoint ejected = endpoints.get(3);
        ejected.ejected(true);
        Map<String, LbEndpoint> after = assign(table);
        int moved = 0;
        Map<LbEndpoint, Integer> movedTo = new HashMap<>();
        for (String key : before.keySet()) {
            if (before.get(key) != after.get(key)) {
                moved++;
                assertThat(before.get(key)).as("a key that moved").isSameAs(ejected);
                movedTo.merge(after.get(key), 1, Integer::sum);
            }
        }
        System.out.printf("%s: ejecting 1 of 10 endpoints moved %.2f %% of %d keys%n", algorithm, 100.0 * moved / KEYS,
                KEYS);
        assertThat(after.values()).doesNotContain(ejected);
        assertThat(moved).isBetween(KEYS / 10 * 7 / 10, KEYS / 10 * 13 / 10);
        // The ejected endpoint's keys spread over the others rather than landing on one neighbour.
        assertThat(movedTo.size()).isGreaterThanOrEqualTo(algorithm == Algorithm.MAGLEV ? 9 : 5);
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void removingOrAddingOneOfTenEndpointsMovesAboutATenthOfTheKeys(Algorithm algorithm) {
        List<LbEndpoint> ten = endpoints(10);
        List<LbEndpoint> nine = new ArrayList<>(ten);
        nine.remove(3);
        Map<String, String> before = byAddress(assign(table(algorithm, ten)));
        Map<String, String> after = byAddress(assign(table(algorithm, nine)));
        int moved = 0;
        for (String key : before.keySet()) {
            moved += before.get(key).equals(after.get(key)) ? 0 : 1;
        }
        System.out.printf("%s: removing 1 of 10 endpoints moved %.2f %% of %d keys%n", algorithm,
                100.0 * moved / KEYS, KEYS);
        // The removed endpoint's tenth must move; a modulo hash would move ~90 %.
        assertThat(moved).isGreaterThanOrEqualTo(KEYS / 10 * 7 / 10).isLessThanOrEqualTo(KEYS / 10 * 2);
    }

    private static Map<String, String> byAddress(Map<String, LbEndpoint> assignment) {
        Map<String, String> map = new HashMap<>();
        assignment.forEach((k, v) -> map.put(k, v.hostPort()));
        return map;
    }

    @Test
    void withoutTheHeaderRequestsSpreadOverTheEndpoints() {
        List<LbEndpoint> endpoints = endpoints(4);
        LoadBalancer lb = ConsistentHashLoadBalancer.of(header(Algorithm.RING_HASH), endpoints);
        Set<LbEndpoint> reached = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            reached.add(lb.choose(MockServerWebExchange.from(MockServerHttpRequest.get("/"))));
        }
        assertThat(reached).hasSize(4);
    }

    @Test
    void aRetryOfAPinnedKeyGoesToAnotherEndpoint() {
        List<LbEndpoint> endpoints = endpoints(4);
        LoadBalancer lb = ConsistentHashLoadBalancer.of(header(Algorithm.MAGLEV), endpoints);
        MockServerWebExchange exchange = user("jason");
        LbEndpoint first = lb.choose(exchange);
        LbEndpoint retry = lb.choose(exchange, List.of(first), false);
        assertThat(retry).isNotNull().isNotSameAs(first);
    }

    @Test
    void queryParameterAndSourceIpAreKeysToo() {
        List<LbEndpoint> endpoints = endpoints(8);
        LoadBalancer byQuery = ConsistentHashLoadBalancer.of(
                new ConsistentHashSpec(HashKey.QUERY_PARAMETER, "id", null, 0, Algorithm.RING_HASH, 0), endpoints);
        Set<LbEndpoint> pinned = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            pinned.add(byQuery.choose(MockServerWebExchange.from(MockServerHttpRequest.get("/a?id=42&x=" + i))));
        }
        assertThat(pinned).hasSize(1);

        LoadBalancer bySource = ConsistentHashLoadBalancer.of(
                new ConsistentHashSpec(HashKey.SOURCE_IP, null, null, 0, Algorithm.MAGLEV, 0), endpoints);
        Set<LbEndpoint> sources = new HashSet<>();
        Set<LbEndpoint> oneSource = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            sources.add(bySource.choose(MockServerWebExchange.from(MockServerHttpRequest.get("/")
                    .remoteAddress(new InetSocketAddress("10.0." + (i / 200) + "." + i, 40000 + i)))));
            oneSource.add(bySource.choose(MockServerWebExchange.from(MockServerHttpRequest.get("/")
                    .remoteAddress(new InetSocketAddress("10.1.2.3", 40000 + i)))));
        }
        assertThat(oneSource).hasSize(1);
        assertThat(sources).hasSizeGreaterThan(6);
    }

    @Test
    void anAbsentCookieIsGeneratedSetOnTheResponseAndPinsTheNextRequests() {
        List<LbEndpoint> endpoints = endpoints(6);
        LoadBalancer lb = ConsistentHashLoadBalancer.of(
                new ConsistentHashSpec(HashKey.COOKIE, "session", "/shop", 3_600_000, Algorithm.RING_HASH, 0),
                endpoints);
        Set<LbEndpoint> firstPicks = new HashSet<>();
        for (int client = 0; client < 30; client++) {
            MockServerWebExchange first = MockServerWebExchange.from(MockServerHttpRequest.get("/shop"));
            LbEndpoint picked = lb.choose(first);
            firstPicks.add(picked);
            assertThat(lb.choose(first, List.of(picked), false)).as("a retry").isNotSameAs(picked);
            List<ResponseCookie> set = first.getResponse().getCookies().get("session");
            assertThat(set).as("one Set-Cookie per request, retries included").hasSize(1);
            ResponseCookie cookie = set.get(0);
            assertThat(cookie.getPath()).isEqualTo("/shop");
            assertThat(cookie.getMaxAge().toSeconds()).isEqualTo(3600);
            assertThat(cookie.isHttpOnly()).isTrue();
            for (int i = 0; i < 5; i++) {
                MockServerWebExchange next = MockServerWebExchange.from(MockServerHttpRequest.get("/shop")
                        .cookie(new HttpCookie("session", cookie.getValue())));
                assertThat(lb.choose(next)).isSameAs(picked);
                assertThat(next.getResponse().getCookies()).isEmpty();
            }
        }
        // New clients get fresh cookies and so spread.
        assertThat(firstPicks).hasSizeGreaterThan(2);
    }
}
