package dev.meshgate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.meshgate.it.harness.DumpLogsOnFailure;
import dev.meshgate.it.harness.Mesh;
import dev.meshgate.it.harness.Reply;
import dev.meshgate.it.harness.SidecarClient;
import tools.jackson.databind.JsonNode;

/**
 * A VirtualService weight change pushed while the client sends a steady 500 requests a second for 10 s: not one
 * request fails, traffic follows the new weights, and the cluster runtimes survive the push, so an endpoint that
 * outlier detection ejected before the push is still ejected after it (and was never sent a request).
 */
@ExtendWith(DumpLogsOnFailure.class)
class ConfigPushUnderLoadIT {

    private static final int REQUESTS = 5_000;
    private static final int RATE_PER_SECOND = 500;
    private static final int WORKERS = 16;

    /**
     * Subset {@code v1} (web-v1 alone) and subset {@code all} (every instance; web-v3 will be dead). Outlier
     * detection ejects at the first 5xx and for 5 minutes; 50 % lets one of the three instances of {@code all} go.
     */
    private static final String RULE = """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata:
              name: web
              namespace: default
            spec:
              host: web
              trafficPolicy:
                outlierDetection:
                  consecutive5xxErrors: 1
                  interval: 1s
                  baseEjectionTime: 300s
                  maxEjectionPercent: 50
              subsets:
              - name: v1
                labels:
                  version: v1
              - name: all
                labels:
                  app: web
            """;

    @AutoClose
    private static Mesh mesh;

    @BeforeAll
    static void startMesh() {
        mesh = Mesh.builder(ConfigPushUnderLoadIT.class)
                .workload("web", "v1")
                .workload("web", "v2")
                .workload("web", "v3")
                .clientSidecar("client")
                .config("web-rule.yaml", RULE)
                .config("web-routes.yaml", routes(90, 10))
                .start();
    }

    /** {@code x-probe: all} goes to subset all; the rest splits between v1 and all by weight; no retries. */
    private static String routes(int v1Weight, int allWeight) {
        return WebConfig.virtualServiceForWeb("web", """
                - match:
                  - headers:
                      x-probe:
                        exact: all
                  route:
                  - destination:
                      host: web
                      subset: all
                  retries:
                    attempts: 0
                - route:
                  - destination:
                      host: web
                      subset: v1
                    weight: %d
                  - destination:
                      host: web
                      subset: all
                    weight: %d
                  retries:
                    attempts: 0
                """.formatted(v1Weight, allWeight));
    }

    /** The client sidecar's outlier state of subset {@code all}'s cluster: endpoint status objects. */
    private static List<JsonNode> allSubsetEndpoints() {
        JsonNode clusters = mesh.sidecar("client").admin().path("outlierDetection");
        List<JsonNode> endpoints = new ArrayList<>();
        for (String name : clusters.propertyNames()) {
            if (name.contains("|all|")) {
                clusters.path(name).forEach(endpoints::add);
            }
        }
        return endpoints;
    }

    private static List<JsonNode> ejected() {
        return allSubsetEndpoints().stream().filter(e -> e.path("ejected").asBoolean()).toList();
    }

    @Test
    void aWeightPushUnderLoadFailsNoRequestAndKeepsTheEjectedEndpointEjected() throws Exception {
        SidecarClient client = mesh.sidecar("client").client();
        int deadPort = mesh.backend("web-v3").port();
        mesh.backend("web-v3").close(); // its sidecar now answers 503 UF
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
            client.get("http://web/", Map.of("x-probe", "all"));
            return ejected().size() == 1;
        });
        JsonNode ejectedBefore = ejected().get(0);
        System.out.printf("ConfigPushUnderLoadIT: ejected before the push (app port %d was web-v3's): %s%n",
                deadPort, ejectedBefore);

        ExecutorService workers = Executors.newFixedThreadPool(WORKERS);
        Reply[] replies = new Reply[REQUESTS];
        long[] sentAtMillis = new long[REQUESTS];
        AtomicInteger next = new AtomicInteger();
        long start = System.nanoTime();
        List<Future<?>> running = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
            running.add(workers.submit(() -> {
                for (int i = next.getAndIncrement(); i < REQUESTS; i = next.getAndIncrement()) {
                    long due = start + TimeUnit.MILLISECONDS.toNanos(i * 1000L / RATE_PER_SECOND);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    sentAtMillis[i] = (System.nanoTime() - start) / 1_000_000;
                    replies[i] = client.get("http://web/");
                }
                return null;
            }));
        }
        long pushedAt;
        long syncedAt;
        try {
            // Push once a fifth of the requests went out (3 s at the nominal rate; later on a loaded machine).
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
                    .until(() -> next.get() >= REQUESTS / 5);
            String before = mesh.status().snapshotVersion();
            pushedAt = (System.nanoTime() - start) / 1_000_000;
            mesh.config().write("web-routes.yaml", routes(10, 90));
            mesh.awaitSyncedAfter(before);
            syncedAt = (System.nanoTime() - start) / 1_000_000;
            for (Future<?> f : running) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            workers.shutdownNow();
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("ConfigPushUnderLoadIT: %d requests in %d ms (%.0f/s); pushed at %d ms, SYNCED at %d ms%n",
                REQUESTS, millis, REQUESTS * 1000.0 / millis, pushedAt, syncedAt);

        List<Reply> failures = new ArrayList<>();
        int beforeV2 = 0;
        int beforeCount = 0;
        int afterV2 = 0;
        int afterCount = 0;
        for (int i = 0; i < REQUESTS; i++) {
            Reply reply = replies[i];
            if (reply.status() != 200) {
                failures.add(reply);
                continue;
            }
            if (sentAtMillis[i] < pushedAt) {
                beforeCount++;
                beforeV2 += "v2".equals(reply.version()) ? 1 : 0;
            } else if (sentAtMillis[i] > syncedAt) {
                afterCount++;
                afterV2 += "v2".equals(reply.version()) ? 1 : 0;
            }
        }
        // A request sent to the dead, ejected instance would come back 503 UF: none may.
        assertThat(failures).as("failed requests (%d)", failures.size()).isEmpty();
        // v2 is half of subset all: 5 % of the traffic before the push, 45 % after.
        System.out.printf("ConfigPushUnderLoadIT: v2 share %d/%d before, %d/%d after%n", beforeV2, beforeCount,
                afterV2, afterCount);
        // Enough replies on each side to tell the shares apart (over 500: their sd is 1 % before, 2 % after). Not
        // half after: 1,000 requests go out before the push, so at 500 a second a sync that takes over 3 s on a
        // loaded machine leaves fewer than half after it.
        assertThat(beforeCount).isGreaterThan(REQUESTS / 10);
        assertThat(afterCount).isGreaterThan(REQUESTS / 10);
        assertThat((double) beforeV2 / beforeCount).isLessThan(0.15);
        assertThat((double) afterV2 / afterCount).isGreaterThan(0.30);

        List<JsonNode> ejectedAfter = ejected();
        assertThat(ejectedAfter).as("outlier state after the push: %s", allSubsetEndpoints()).hasSize(1);
        assertThat(ejectedAfter.get(0).path("endpoint").asString()).isEqualTo(ejectedBefore.path("endpoint").asString());
        assertThat(ejectedAfter.get(0).path("ejections").asLong()).as("the same ejection, not a new one").isEqualTo(1);
    }
}
