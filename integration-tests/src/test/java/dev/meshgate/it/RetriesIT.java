package dev.meshgate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.meshgate.it.harness.DumpLogsOnFailure;
import dev.meshgate.it.harness.Load;
import dev.meshgate.it.harness.Mesh;
import dev.meshgate.it.harness.Readiness;
import dev.meshgate.it.harness.Replies;
import dev.meshgate.it.harness.Reply;
import dev.meshgate.it.harness.SidecarClient;
import dev.meshgate.it.harness.WebBackend;
import dev.meshgate.testing.FreePorts;

/**
 * {@code VirtualService.spec.http[].retries} with the tutorial's retry backend (two instances, each behind its
 * sidecar, restarted when they exit): {@code attempts} counts retries after the first try, a retry goes to the
 * other instance, Istio's default policy retries a connect failure, {@code attempts: 0} retries nothing.
 */
@ExtendWith(DumpLogsOnFailure.class)
class RetriesIT {

    /** Nobody listens here: the port was free a moment ago and nothing of this test binds it. */
    private static final int REFUSING_PORT = FreePorts.next();

    private static final String RETRY_ROUTE = WebConfig.virtualServiceFor("retry", """
            - route:
              - destination:
                  host: retry
              retries:
                attempts: 15
                perTryTimeout: 1s
                retryOn: 5xx,reset,connect-failure
            """);

    @AutoClose
    private static Mesh mesh;
    private static SidecarClient client;

    @BeforeAll
    static void startMesh() {
        mesh = Mesh.builder(RetriesIT.class)
                .sampleWorkload("retry", "a", "retry", true)
                .sampleWorkload("retry", "b", "retry", true)
                .clientSidecar("client")
                .config("retry.yaml", RETRY_ROUTE)
                .start();
        client = mesh.sidecar("client").client();
        // Two services whose endpoints are an address that refuses connections and instance a's app: one under
        // Istio's default retry policy (no retries field), one with attempts: 0.
        int live = mesh.backend("retry-a").port();
        String snapshot = mesh.status().snapshotVersion();
        mesh.config().write("flaky.yaml", twoEndpoints("flaky-default", live) + "---\n"
                + twoEndpoints("flaky-off", live) + "---\n"
                + WebConfig.virtualServiceFor("flaky-off", """
                        - route:
                          - destination:
                              host: flaky-off
                          retries:
                            attempts: 0
                        """));
        mesh.awaitSyncedAfter(snapshot);
    }

    private static String twoEndpoints(String name, int livePort) {
        return """
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata:
                  name: %1$s
                  namespace: default
                spec:
                  hosts:
                  - %1$s.default.svc.cluster.local
                  location: MESH_INTERNAL
                  resolution: STATIC
                  ports:
                  - number: 80
                    name: http
                    protocol: HTTP
                  endpoints:
                  - address: 127.0.0.1
                    ports:
                      http: %2$d
                  - address: 127.0.0.1
                    ports:
                      http: %3$d
                """.formatted(name, REFUSING_PORT, livePort);
    }

    @Test
    void withHalfTheTriesFailingAtLeast999In1000RequestsSucceed() throws IOException {
        long before = backendAnswers("-> 503") + backendAnswers("-> 200");
        Replies replies = Load.send(1000, 8, () -> client.get("http://retry/?failRate=50&mode=busy"));

        // 16 tries at 1/2: a request fails with probability 2^-16, so more than one failure in 1000 is ~1e-4.
        assertThat(replies.byStatus().getOrDefault(200, 0L)).as("%s", replies).isGreaterThanOrEqualTo(999);
        // The backends saw the extra attempts: ~2 tries per request (sd ~45 over 1000 requests).
        long tries = backendAnswers("-> 503") + backendAnswers("-> 200") - before;
        assertThat(tries).isGreaterThan(1700);
    }

    @Test
    void withNinetyPercentOfTriesFailingAbout81PercentSucceed() {
        int n = 300;
        Replies replies = Load.send(n, 16, () -> client.get("http://retry/?failRate=90&mode=busy"));

        double p = 1 - Math.pow(0.9, 16);
        double sd = Math.sqrt(p * (1 - p) / n);
        double share = replies.byStatus().getOrDefault(200, 0L) / (double) n;
        assertThat(share).as("success share of %s (expected %.3f +- 4 sd %.3f)", replies, p, 4 * sd)
                .isBetween(p - 4 * sd, p + 4 * sd);
        // Requests that ran out of retries get the backend's own last 503, not one the proxy made up.
        assertThat(replies.all()).filteredOn(r -> r.status() != 200)
                .allSatisfy(r -> {
                    assertThat(r.status()).as("%s", r).isEqualTo(503);
                    assertThat(r.responseFlags()).as("%s", r).isNull();
                    assertThat(r.body()).as("%s", r).startsWith("busy: server id");
                });
    }

    @Test
    void requestsAreAnsweredWhileInstancesCrashAndRestart() throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        List<Reply> replies = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread load = new Thread(() -> {
            while (running.get()) {
                replies.add(client.get("http://retry/?failRate=0"));
            }
        }, "load");
        load.start();
        try {
            for (String instance : List.of("retry-a", "retry-b")) {
                WebBackend backend = mesh.backend(instance);
                int restarts = backend.process().restarts();
                crash(backend);
                Readiness.waitUpTo(Readiness.START).pollInterval(Duration.ofMillis(200))
                        .alias(instance + " restarted and answering")
                        .until(() -> backend.process().restarts() > restarts
                                && backend.answersOk());
            }
        } finally {
            running.set(false);
            load.join(30_000);
        }
        Replies all = new Replies(new ArrayList<>(replies));
        assertThat(all.count()).isGreaterThan(20);
        assertThat(all.failures()).as("%s", all).isEmpty();
        assertThat(mesh.backend("retry-a").process().restarts()).isPositive();
        assertThat(mesh.backend("retry-b").process().restarts()).isPositive();
    }

    /** {@code mode=crash} sent straight to the app: it hangs a moment and exits without answering. */
    private static void crash(WebBackend backend) {
        HttpClient direct = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + backend.port() + "/?mode=crash&delayMs=100"))
                .timeout(Duration.ofSeconds(10)).build();
        assertThatThrownBy(() -> direct.send(request, HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(IOException.class);
    }

    @Test
    void istiosDefaultPolicyRetriesAConnectFailure() {
        // One at a time: a retry goes to the endpoint not tried yet, whatever the other requests do.
        Replies replies = Load.send(30, 1, () -> client.get("http://flaky-default/"));

        assertThat(replies.failures()).as("%s", replies).isEmpty();
        assertThat(replies.byStatus()).as("%s", replies).containsOnlyKeys(200);
    }

    @Test
    void attemptsZeroDisablesRetries() {
        Replies replies = Load.send(40, () -> client.get("http://flaky-off/"));

        // Either endpoint is picked per request: the refusing one answers 503 UF, and is not retried.
        assertThat(replies.byStatus().getOrDefault(503, 0L)).as("%s", replies).isPositive();
        assertThat(replies.all()).filteredOn(r -> r.status() == 503)
                .allSatisfy(r -> assertThat(r.responseFlags()).as("%s", r).isEqualTo("UF"));
        assertThat(replies.byStatus().getOrDefault(200, 0L)).as("%s", replies).isPositive();
    }

    /** Lines of both retry backends' logs containing {@code text} (each request is logged once). */
    private static long backendAnswers(String text) throws IOException {
        long n = 0;
        for (String instance : List.of("retry-a", "retry-b")) {
            try (var lines = Files.lines(mesh.backend(instance).process().log())) {
                n += lines.filter(line -> line.startsWith("retry: request") && line.contains(text)).count();
            }
        }
        return n;
    }
}
