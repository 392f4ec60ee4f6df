package dev.meshgate.controlplane.leader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.meshgate.controlplane.source.kubernetes.MockApiServer;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoordinationV1Api;
import io.kubernetes.client.openapi.models.V1Lease;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two control-plane replicas campaigning for one Lease on fabric8's mock API server (CRUD mode), through the
 * official client's LeaderElector: one leads, and another takes over when it stops.
 */
class LeaderElectionTest {

    // Each try to acquire or renew must finish within a retry period, or the elector drops it: a GET and a PUT
    // to the mock took over 500 ms on a loaded machine, so that no candidate ever led.
    static final Duration LEASE = Duration.ofSeconds(8);
    static final Duration RENEW_DEADLINE = Duration.ofSeconds(6);
    static final Duration RETRY = Duration.ofSeconds(2);

    MockApiServer api;
    final List<LeaderElection> elections = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        api = new MockApiServer();
        // The first create and replace of a Lease take seconds here (class loading in the mock and the client):
        // longer than a retry period, which would cancel them. Warm both up on another Lease first.
        java.util.Date now = new java.util.Date();
        io.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock warmUp =
                new io.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock("istio-system", "warm-up",
                        "test", new ApiClient().setBasePath(api.uri().toString()));
        warmUp.create(new io.kubernetes.client.extended.leaderelection.LeaderElectionRecord("test", 3, now, now, 0));
        warmUp.get();
        warmUp.update(new io.kubernetes.client.extended.leaderelection.LeaderElectionRecord("test", 3, now, now, 0));
    }

    @AfterEach
    void stop() {
        elections.forEach(LeaderElection::close);
        api.close();
    }

    LeaderElection candidate(String identity) {
        LeaderElection election = new LeaderElection(new ApiClient().setBasePath(api.uri().toString()),
                new LeaderElectionProperties(true, "istio-status-leader", "istio-system", identity, LEASE,
                        RENEW_DEADLINE, RETRY));
        elections.add(election);
        election.start();
        return election;
    }

    @Test
    void exactlyOneOfTwoReplicasLeadsAndTheLeaseNamesIt() throws Exception {
        LeaderElection a = candidate("istiod-a");
        LeaderElection b = candidate("istiod-b");

        await().atMost(Duration.ofSeconds(20)).until(() -> a.isLeader() || b.isLeader());
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4))
                .until(() -> a.isLeader() ^ b.isLeader());
        V1Lease lease = new CoordinationV1Api(new ApiClient().setBasePath(api.uri().toString()))
                .readNamespacedLease("istio-status-leader", "istio-system").execute();
        assertThat(lease.getSpec().getHolderIdentity()).isEqualTo(a.isLeader() ? "istiod-a" : "istiod-b");
        assertThat(lease.getSpec().getLeaseDurationSeconds()).isEqualTo((int) LEASE.toSeconds());
    }

    @Test
    void whenTheLeaderStopsTheOtherReplicaTakesOverWithinTheLeaseDuration() {
        List<String> events = new CopyOnWriteArrayList<>();
        LeaderElection a = candidate("istiod-a");
        a.addListener(leading -> events.add("a " + leading));
        await().atMost(Duration.ofSeconds(20)).until(a::isLeader);
        LeaderElection b = candidate("istiod-b");
        b.addListener(leading -> events.add("b " + leading));
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2)).until(() -> !b.isLeader());

        long stopped = System.nanoTime();
        a.close();

        assertThat(a.isLeader()).isFalse();
        await().atMost(LEASE.plusSeconds(2)).until(b::isLeader);
        assertThat(Duration.ofNanos(System.nanoTime() - stopped)).isLessThan(LEASE.plusSeconds(2));
        assertThat(events).containsSubsequence("a false", "b true");
    }

    @Test
    void aLeaderThatCannotRenewStopsLeading() {
        LeaderElection a = candidate("istiod-a");
        List<Boolean> events = new CopyOnWriteArrayList<>();
        a.addListener(events::add);
        await().atMost(Duration.ofSeconds(20)).until(a::isLeader);

        api.close();

        await().atMost(RENEW_DEADLINE.plusSeconds(10)).until(() -> !a.isLeader());
        assertThat(events).containsExactly(true, false);
    }
}
