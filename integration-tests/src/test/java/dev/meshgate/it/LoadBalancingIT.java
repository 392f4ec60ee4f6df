package dev.meshgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.meshgate.it.harness.DumpLogsOnFailure;
import dev.meshgate.it.harness.Load;
import dev.meshgate.it.harness.Mesh;
import dev.meshgate.it.harness.Replies;
import dev.meshgate.it.harness.Reply;
import dev.meshgate.it.harness.SidecarClient;

/**
 * DestinationRule {@code loadBalancer} policies over three instances of {@code web} (v1, v2, v3: one cluster, no
 * subsets), seen from a client through its sidecar: round robin, random, consistent hash on a header and on a
 * generated cookie; and least request over {@code lr}: two fast instances and one taking 500 ms an answer.
 */
@ExtendWith(DumpLogsOnFailure.class)
class LoadBalancingIT {

    private static final String POLICY_FILE = "web-load-balancer.yaml";
    private static final int SLOW_MILLIS = 500;

    @AutoClose
    private static Mesh mesh;

    @BeforeAll
    static void startMesh() {
        mesh = Mesh.builder(LoadBalancingIT.class)
                .workload("web", "v1")
                .workload("web", "v2")
                .workload("web", "v3")
                .workload("lr", "fast1")
                .workload("lr", "fast2")
                .slowWorkload("lr", "slow", SLOW_MILLIS)
                .clientSidecar("client")
                .config(POLICY_FILE, rule(applied))
                .config("lr-rule.yaml", """
                        apiVersion: networking.istio.io/v1
                        kind: DestinationRule
                        metadata:
                          name: lr
                          namespace: default
                        spec:
                          host: lr
                          trafficPolicy:
                            loadBalancer:
                              simple: LEAST_REQUEST
                        """)
                .start();
    }

    /** A DestinationRule for {@code web} with {@code loadBalancer} set to {@code loadBalancerYaml}. */
    private static String rule(String loadBalancerYaml) {
        return """
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata:
                  name: web
                  namespace: default
                spec:
                  host: web
                  trafficPolicy:
                    loadBalancer:
                """ + loadBalancerYaml.indent(6);
    }

    private static String applied = "simple: ROUND_ROBIN";

    private static void apply(String loadBalancerYaml) {
        if (loadBalancerYaml.equals(applied)) {
            return; // an unchanged file makes no new snapshot to wait for
        }
        String before = mesh.status().snapshotVersion();
        mesh.config().write(POLICY_FILE, rule(loadBalancerYaml));
        mesh.awaitSyncedAfter(before);
        applied = loadBalancerYaml;
    }

    private static SidecarClient client() {
        return mesh.sidecar("client").client();
    }

    /** {@code count} sequential GETs, each answered 200; their versions in order. */
    private static List<String> versions(int count, Map<String, String> headers) {
        List<String> versions = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Reply reply = client().get("http://web/", headers);
            assertThat(reply.status()).as("%s", reply).isEqualTo(200);
            versions.add(reply.version());
        }
        return versions;
    }

    private static Map<String, Integer> histogram(List<String> versions) {
        Map<String, Integer> counts = new HashMap<>();
        versions.forEach(v -> counts.merge(v, 1, Integer::sum));
        return counts;
    }

    /** How often a reply came from the same instance as the one {@code lag} requests before it. */
    private static int repeatsAtLag(List<String> versions, int lag) {
        int repeats = 0;
        for (int i = lag; i < versions.size(); i++) {
            repeats += versions.get(i).equals(versions.get(i - lag)) ? 1 : 0;
        }
        return repeats;
    }

    @Test
    void roundRobinVisitsTheInstancesInTurnEvenly() {
        apply("simple: ROUND_ROBIN");
        List<String> versions = versions(60, Map.of());
        assertThat(histogram(versions)).as("%s", versions)
                .containsOnlyKeys("v1", "v2", "v3").containsValues(20, 20, 20);
        // In turn: every third reply comes from the same instance, and no two neighbours do.
        assertThat(repeatsAtLag(versions, 3)).as("%s", versions).isEqualTo(57);
        assertThat(repeatsAtLag(versions, 1)).as("%s", versions).isZero();
    }

    @Test
    void randomSpreadsOverEveryInstanceInNoFixedOrder() {
        apply("simple: RANDOM");
        List<String> versions = versions(300, Map.of());
        // Each instance's count is Binomial(300, 1/3): mean 100, sd 8.2; [55, 145] is beyond +-5 sd.
        assertThat(histogram(versions).values()).as("%s", histogram(versions)).hasSize(3)
                .allSatisfy(count -> assertThat(count).isBetween(55, 145));
        // Round robin would repeat at lag 3 every time (297); random does a third of the time (mean 99, sd 8.1).
        assertThat(repeatsAtLag(versions, 3)).isBetween(50, 150);
        assertThat(repeatsAtLag(versions, 1)).isBetween(50, 150);
    }

    @Test
    void leastRequestSendsLittleToTheSlowInstance() {
        Replies replies = Load.send(150, () -> client().get("http://lr/"));
        assertThat(replies.failures()).as("%s", replies).isEmpty();
        // Round robin or random would send it a third (50). Least request compares requests in flight: the slow
        // instance holds its requests ten times longer or more, so it loses nearly every comparison while it has
        // one in flight (a few % of the requests here; 30 leaves room for a slow machine).
        assertThat(replies.withVersion("slow")).as("%s", replies).isLessThan(30);
        assertThat(replies.byVersion()).as("%s", replies).containsKeys("fast1", "fast2");
    }

    @Test
    void consistentHashOnTheUserHeaderPinsEachUserToOneInstanceAndSpreadsUsers() {
        apply("""
                consistentHash:
                  httpHeaderName: User
                """);
        Map<String, Set<String>> byUser = new HashMap<>();
        for (int round = 0; round < 5; round++) {
            for (int user = 0; user < 30; user++) {
                String name = "user-" + user;
                byUser.computeIfAbsent(name, k -> new HashSet<>())
                        .addAll(versions(1, Map.of("User", name)));
            }
        }
        assertThat(byUser.values()).as("instances each user reached: %s", byUser).allSatisfy(
                instances -> assertThat(instances).hasSize(1));
        Set<String> used = new HashSet<>();
        byUser.values().forEach(used::addAll);
        // 30 users all on one or two of three instances: probability below 3 * (2/3)^30 = 2e-5.
        assertThat(used).as("%s", byUser).hasSize(3);
        // Without the header requests are spread, not sent to one instance.
        assertThat(histogram(versions(60, Map.of()))).hasSizeGreaterThanOrEqualTo(2);
    }

    @Test
    void cookieHashSetsItsCookieAndHonoursIt() {
        apply("""
                consistentHash:
                  httpCookie:
                    name: user
                    path: /
                    ttl: 3600s
                """);
        Set<String> firstInstances = new HashSet<>();
        for (int client = 0; client < 20; client++) {
            Reply first = client().get("http://web/");
            assertThat(first.status()).as("%s", first).isEqualTo(200);
            String setCookie = first.header("set-cookie");
            assertThat(setCookie).as("%s", first).matches("user=[0-9a-f]{16};.*")
                    .contains("Max-Age=3600").contains("Path=/").containsIgnoringCase("HttpOnly");
            String cookie = setCookie.substring(0, setCookie.indexOf(';'));
            firstInstances.add(first.version());
            for (int i = 0; i < 5; i++) {
                Reply next = client().get("http://web/", Map.of("Cookie", cookie));
                assertThat(next.version()).as("%s with %s", next, cookie).isEqualTo(first.version());
                assertThat(next.header("set-cookie")).as("%s", next).isNull();
            }
        }
        // Twenty fresh cookies all on one instance: probability 3 * (1/3)^20.
        assertThat(firstInstances).hasSizeGreaterThan(1);
    }
}
