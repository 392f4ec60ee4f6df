package dev.meshgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.UUID;

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

/**
 * {@code VirtualService.spec.http[].timeout} and {@code retries.perTryTimeout} against the retry backend made slow
 * ({@code delayMs}): the proxy answers 504 UT at the timeout, not at the backend's pace; a try cut by its
 * per-try timeout is retried.
 */
@ExtendWith(DumpLogsOnFailure.class)
class TimeoutsIT {

    private static final String ROUTES = WebConfig.virtualServiceFor("retry", """
            - name: timeout
              match:
              - uri:
                  prefix: /timeout
              route:
              - destination:
                  host: retry
              timeout: 1s
              retries:
                attempts: 0
            - name: per-try
              match:
              - uri:
                  prefix: /per-try
              route:
              - destination:
                  host: retry
              timeout: 20s
              retries:
                attempts: 2
                perTryTimeout: 500ms
                retryOn: 5xx
            - name: slow
              route:
              - destination:
                  host: retry
              retries:
                attempts: 0
            """);

    @AutoClose
    private static Mesh mesh;
    private static SidecarClient client;

    @BeforeAll
    static void startMesh() {
        mesh = Mesh.builder(TimeoutsIT.class)
                .sampleWorkload("retry", "a", "retry", false)
                .clientSidecar("client")
                .config("retry.yaml", ROUTES)
                .start();
        client = mesh.sidecar("client").client();
    }

    @Test
    void aBackendSlowerThanTheTimeoutGets504UTAtTheTimeout() {
        // Once unmeasured: the first answer cut by a timeout pays for loading and compiling that path (4.4 s at load
        // 50-60, not the timeout's lateness); what is measured below is the proxy's timing.
        client.get("http://retry/timeout?delayMs=6000");
        long start = System.nanoTime();
        Reply slow = client.get("http://retry/slow?delayMs=2500");
        long slowMillis = (System.nanoTime() - start) / 1_000_000;
        start = System.nanoTime();
        Reply cut = client.get("http://retry/timeout?delayMs=6000");
        long cutMillis = (System.nanoTime() - start) / 1_000_000;

        assertThat(slow.status()).as("%s", slow).isEqualTo(200);
        assertThat(slowMillis).as("the backend's delay, without a timeout").isGreaterThanOrEqualTo(2500);
        assertThat(cut.status()).as("%s", cut).isEqualTo(504);
        assertThat(cut.responseFlags()).as("%s", cut).isEqualTo("UT");
        assertThat(cut.body()).isEqualTo("meshgate: upstream request timeout (UT)\n");
        assertThat(cutMillis).as("answered at the 1 s timeout, not after the backend's 6 s").isBetween(950L, 4000L);
    }

    @Test
    void triesCutByThePerTryTimeoutAreRetriedAndTheLastCutAnswers504UTURX() throws IOException {
        String id = UUID.randomUUID().toString();
        // Once unmeasured (another id), as above: the first retry after a per-try timeout pays for its path.
        client.get("http://retry/per-try?delayMs=4000&id=" + UUID.randomUUID());
        long start = System.nanoTime();
        Reply reply = client.get("http://retry/per-try?delayMs=4000&id=" + id);
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertThat(reply.status()).as("%s", reply).isEqualTo(504);
        assertThat(reply.responseFlags()).as("%s", reply).isEqualTo("UT,URX");
        // Three tries of 500 ms with back-offs between them: far below the backend's 4 s.
        assertThat(millis).isBetween(1450L, 3900L);
        // The backend logs a request when it answers, after its delay: each of the three tries reached it.
        Readiness.waitUpTo(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(requestsLogged(id)).isEqualTo(3));
    }

    @Test
    void aSlowTryIsCutAndItsRetryAnswers() throws IOException {
        String id = UUID.randomUUID().toString();
        // Half the tries are slow (2 s): each is cut at 500 ms and retried; a request fails only when its three
        // tries are all slow (1/8). Two clients at a time: the cut tries keep sleeping in the backend's threads.
        Replies replies = Load.send(40, 2, () -> client.get("http://retry/per-try?delayMs=2000&delayRate=50&id=" + id));

        long ok = replies.byStatus().getOrDefault(200, 0L);
        // Successes ~ Binomial(40, 7/8): mean 35, sd 2.1; without retries it would be ~20.
        assertThat(ok).as("%s", replies).isGreaterThanOrEqualTo(27);
        assertThat(replies.all()).filteredOn(r -> r.status() != 200)
                .allSatisfy(r -> assertThat(r.responseFlags()).as("%s", r).isEqualTo("UT,URX"));
        Readiness.waitUpTo(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(requestsLogged(id)).isGreaterThan(40));
    }

    private static long requestsLogged(String id) throws IOException {
        try (var lines = Files.lines(mesh.backend("retry-a").process().log())) {
            return lines.filter(line -> line.startsWith("retry: request") && line.contains(id)).count();
        }
    }
}
