package dev.meshgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

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
 * The fault-injection tutorial (issue #4, scenario 7): the client's sidecar aborts 75 % of requests with 500
 * (flag FI) and delays half of them by 2 s (flag DI), while the web app stays healthy.
 */
@ExtendWith(DumpLogsOnFailure.class)
class FaultInjectionIT {

    private static final long DELAY_MILLIS = 2_000;

    private static final String FAULTS = WebConfig.virtualServiceForWeb("web", """
            - name: abort
              match:
              - uri:
                  prefix: /abort
              fault:
                abort:
                  httpStatus: 500
                  percentage:
                    value: 75
              route:
              - destination:
                  host: web
                  subset: v1
            - name: delay
              match:
              - uri:
                  prefix: /delay
              fault:
                delay:
                  fixedDelay: 2s
                  percentage:
                    value: 50
              route:
              - destination:
                  host: web
                  subset: v1
            - route:
              - destination:
                  host: web
                  subset: v1
            """);

    @AutoClose
    private static Mesh mesh;

    @BeforeAll
    static void startMesh() {
        mesh = Mesh.builder(FaultInjectionIT.class)
                .workload("web", "v1")
                .clientSidecar("client")
                .config("web-subsets.yaml", WebConfig.SUBSETS)
                .config("web-faults.yaml", FAULTS)
                .start();
    }

    @Test
    void abortAt75PercentAnswers500FlaggedFIToThreeQuartersOfTheRequests() {
        SidecarClient client = mesh.sidecar("client").client();
        int n = 400;

        Replies replies = Load.send(n, () -> client.get("http://web/abort"));

        long aborted = 0;
        for (Reply reply : replies.all()) {
            if (reply.status() == 500) {
                assertThat(reply.responseFlags()).as("%s", reply).isEqualTo("FI");
                assertThat(reply.version()).as("%s", reply).isNull();
                aborted++;
            } else {
                assertThat(reply.status()).as("%s", reply).isEqualTo(200);
                assertThat(reply.version()).as("%s", reply).isEqualTo("v1");
                assertThat(reply.responseFlags()).as("%s", reply).isNull();
            }
        }
        // Binomial(400, 0.75): mean 300, sd 8.7; [265, 335] is +-4 sd; 50 % (200) or 100 % (400) fall far outside.
        assertThat(aborted).as("aborted of %d: %s", n, replies.byStatus()).isBetween(265L, 335L);
    }

    @Test
    void delayAt50PercentHoldsHalfTheRequestsForTheFixedDelayAndLeavesTheRestFast() {
        SidecarClient client = mesh.sidecar("client").client();
        int n = 40;
        List<Long> delayed = new ArrayList<>();
        List<Long> fast = new ArrayList<>();

        Replies replies = Load.send(n, () -> {
            long started = System.nanoTime();
            Reply reply = client.get("http://web/delay");
            long millis = (System.nanoTime() - started) / 1_000_000;
            synchronized (delayed) {
                ("DI".equals(reply.responseFlags()) ? delayed : fast).add(millis);
            }
            return reply;
        });

        assertThat(replies.failures()).as("%s", replies).isEmpty();
        assertThat(replies.byVersion()).as("%s", replies).containsOnlyKeys("v1");
        System.out.printf("FaultInjectionIT: delayed (ms) %s, not delayed (ms) %s%n", delayed, fast);
        // Binomial(40, 0.5): mean 20, sd 3.2; [8, 32] is +-3.8 sd, while 0 % or 100 % are far outside.
        assertThat(delayed.size()).as("delayed of %d", n).isBetween(8, 32);
        assertThat(delayed).allSatisfy(millis -> assertThat(millis).isGreaterThanOrEqualTo(DELAY_MILLIS));
        // Generous for a loaded machine: an undelayed request takes milliseconds; the delay is 2 s.
        assertThat(fast).allSatisfy(millis -> assertThat(millis).isLessThan(DELAY_MILLIS));
    }

    @Test
    void routesWithoutFaultAreNeitherDelayedNorAborted() {
        SidecarClient client = mesh.sidecar("client").client();
        Replies replies = Load.send(50, () -> client.get("http://web/"));
        assertThat(replies.byStatus()).as("%s", replies).containsOnlyKeys(200);
        assertThat(replies.all()).allSatisfy(reply -> assertThat(reply.responseFlags()).isNull());
    }
}
