package dev.meshgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.meshgate.it.harness.DumpLogsOnFailure;
import dev.meshgate.it.harness.Load;
import dev.meshgate.it.harness.Mesh;
import dev.meshgate.it.harness.Replies;
import dev.meshgate.it.harness.SidecarClient;

/** Route weights split traffic between subsets in the configured proportion (a 90/10 canary). */
@ExtendWith(DumpLogsOnFailure.class)
class TrafficShiftingIT {

    private static final int REQUESTS = 2_000;

    @AutoClose
    private static Mesh mesh;

    @BeforeAll
    static void startMesh() {
        mesh = WebConfig.versionedMesh(TrafficShiftingIT.class)
                .config("web-routes.yaml", WebConfig.weighted(90, 10))
                .start();
    }

    @Test
    void weights90To10SendAboutATenthOfTheRequestsToV2() {
        SidecarClient client = mesh.sidecar("client").client();

        long started = System.nanoTime();
        Replies replies = Load.send(REQUESTS, () -> client.get("http://web/"));
        long millis = (System.nanoTime() - started) / 1_000_000;
        System.out.printf("TrafficShiftingIT: %d requests in %d ms (%.0f/s): %s%n",
                REQUESTS, millis, REQUESTS * 1000.0 / millis, replies.byVersion());

        assertThat(replies.failures()).as("%s", replies).isEmpty();
        assertThat(replies.byVersion()).as("%s", replies).containsOnlyKeys("v1", "v2");
        // v2's count is Binomial(2000, 0.1): mean 200, sd sqrt(2000 * 0.1 * 0.9) = 13.4. [150, 250] is mean
        // +- 3.7 sd: a correct split falls outside it about twice in 10,000 runs, while 50/50 (1000), 100/0 (0)
        // or even 85/15 (300) and 95/5 (100) land far outside.
        assertThat(replies.withVersion("v2")).as("requests answered by v2 of %d: %s", REQUESTS, replies)
                .isBetween(150L, 250L);
    }
}
