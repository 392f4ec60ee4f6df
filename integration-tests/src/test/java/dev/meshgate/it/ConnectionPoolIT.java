package dev.meshgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.meshgate.it.harness.DumpLogsOnFailure;
import dev.meshgate.it.harness.Mesh;
import dev.meshgate.it.harness.Reply;
import dev.meshgate.it.harness.SidecarClient;

/**
 * {@code DestinationRule.spec.trafficPolicy.connectionPool}, as in Istio's circuit-breaking task: with one
 * connection and one pending request allowed, concurrent clients beyond them get 503 UO at once from their
 * sidecar, and the backend never sees those requests.
 */
@ExtendWith(DumpLogsOnFailure.class)
class ConnectionPoolIT {

    private static final String POOL = """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata:
              name: retry
              namespace: default
            spec:
              host: retry
              trafficPolicy:
                connectionPool:
                  tcp:
                    maxConnections: 1
                  http:
                    http1MaxPendingRequests: 1
            """;

    @AutoClose
    private static Mesh mesh;
    private static SidecarClient client;

    @BeforeAll
    static void startMesh() {
        mesh = Mesh.builder(ConnectionPoolIT.class)
                .sampleWorkload("retry", "a", "retry", false)
                .clientSidecar("client")
                .config("pool.yaml", POOL)
                .start();
        client = mesh.sidecar("client").client();
    }

    @Test
    void concurrentRequestsBeyondTheLimitsGet503UOAtOnceAndNeverReachTheBackend() throws Exception {
        String id = UUID.randomUUID().toString();
        List<CompletableFuture<long[]>> calls = new ArrayList<>();
        List<Reply> replies = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 5; i++) {
            calls.add(CompletableFuture.supplyAsync(() -> {
                long start = System.nanoTime();
                Reply reply = client.get("http://retry/?delayMs=2000&id=" + id);
                replies.add(reply);
                return new long[] {reply.status(), (System.nanoTime() - start) / 1_000_000};
            }));
        }
        int ok = 0;
        int overflow = 0;
        for (CompletableFuture<long[]> call : calls) {
            long[] r = call.get();
            if (r[0] == 200) {
                ok++;
                assertThat(r[1]).as("%s", replies).isGreaterThanOrEqualTo(1900L);
            } else {
                overflow++;
                assertThat(r[0]).as("%s", replies).isEqualTo(503);
                assertThat(r[1]).as("answered at once, not after the backend's 2 s: %s", replies).isLessThan(1500L);
            }
        }
        assertThat(replies).filteredOn(r -> r.status() == 503)
                .allSatisfy(r -> assertThat(r.responseFlags()).as("%s", r).isEqualTo("UO"));
        // One request holds the connection, one waits for it; of five at once, the others overflow.
        assertThat(overflow).as("%s", replies).isPositive();
        assertThat(ok).as("%s", replies).isGreaterThanOrEqualTo(2);
        // The backend logs a request before answering it; every call is answered by now, and a request that had
        // reached the backend at the start would have been logged 2 s later, before the pending one was answered.
        assertThat(requestsLogged(id)).as("the backend saw only the requests answered 200").isEqualTo(ok);
    }

    private static long requestsLogged(String id) throws IOException {
        try (var lines = Files.lines(mesh.backend("retry-a").process().log())) {
            return lines.filter(line -> line.startsWith("retry: request") && line.contains(id)).count();
        }
    }
}
