package dev.meshgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.meshgate.it.harness.DumpLogsOnFailure;
import dev.meshgate.it.harness.Load;
import dev.meshgate.it.harness.Mesh;
import dev.meshgate.it.harness.ProxiesReport;
import dev.meshgate.it.harness.Readiness;
import dev.meshgate.it.harness.Replies;
import dev.meshgate.it.harness.SidecarClient;

/**
 * The data plane does not depend on the control plane being up: killed for a minute while 200 requests a second
 * flow through a sidecar (issue #8), the sidecars keep serving their last view and not one request fails;
 * restarted on the same address, it learns every proxy again from their reconnects and pushes edits as before.
 */
@ExtendWith(DumpLogsOnFailure.class)
class ControlPlaneOutageIT {

    private static final Duration OUTAGE = Duration.ofSeconds(60);
    private static final int REQUESTS_PER_SECOND = 200;

    @AutoClose
    private static Mesh mesh;
    private static SidecarClient client;

    @BeforeAll
    static void startMesh() {
        mesh = WebConfig.versionedMesh(ControlPlaneOutageIT.class)
                .config("web-routes.yaml", WebConfig.jasonToV2("v1"))
                .start();
        client = mesh.sidecar("client").client();
    }

    @Test
    void trafficKeepsFlowingWithoutTheControlPlaneAndARestartedOneResyncsEveryProxy() {
        mesh.controlPlane().kill();
        long killed = System.nanoTime();

        Readiness.waitUpTo(Readiness.SYNC).alias("every proxy noticed the control plane is gone")
                .untilAsserted(() -> assertThat(mesh.proxies())
                        .allSatisfy(proxy -> assertThat(proxy.admin().path("connected").asBoolean(true))
                                .as("%s connected", proxy).isFalse()));
        assertThat(mesh.proxies()).allSatisfy(proxy -> assertThat(proxy.healthStatus())
                .as("%s health while the control plane is down", proxy).isEqualTo(200));
        Replies jason = Load.send(50, () -> client.get("http://web/", Map.of("end-user", "jason")));
        assertThat(jason.failures()).as("%s", jason).isEmpty();
        assertThat(jason.byVersion()).as("%s", jason).containsOnlyKeys("v2");
        long loadStart = System.nanoTime();
        Replies unchanged = Load.atRate(REQUESTS_PER_SECOND, OUTAGE, 32, () -> client.get("http://web/"));
        long loadMillis = (System.nanoTime() - loadStart) / 1_000_000;
        System.out.printf("ControlPlaneOutageIT: without a control plane for %d ms, %s in %d ms (%.0f/s)%n",
                (System.nanoTime() - killed) / 1_000_000, unchanged, loadMillis,
                unchanged.count() * 1000.0 / loadMillis);
        assertThat(unchanged.count()).isEqualTo(REQUESTS_PER_SECOND * (int) OUTAGE.toSeconds());
        assertThat(unchanged.failures()).as("%s", unchanged).isEmpty();
        assertThat(unchanged.byVersion()).as("%s", unchanged).containsOnlyKeys("v1");
        assertThat(Duration.ofNanos(System.nanoTime() - killed)).isGreaterThanOrEqualTo(OUTAGE);

        mesh.controlPlane().restart();
        long restarted = System.nanoTime();
        ProxiesReport resynced = mesh.awaitSyncedAfter(null);
        System.out.printf("ControlPlaneOutageIT: every proxy SYNCED %d ms after the restarted control plane was"
                + " healthy: %s%n", (System.nanoTime() - restarted) / 1_000_000, resynced.proxies());
        assertThat(mesh.proxies()).allSatisfy(proxy -> assertThat(proxy.admin().path("connected").asBoolean())
                .as("%s reconnected", proxy).isTrue());

        mesh.config().write("web-routes.yaml", WebConfig.jasonToV2("v2"));
        mesh.awaitSyncedAfter(resynced.snapshotVersion());
        Replies edited = Load.send(50, () -> client.get("http://web/"));
        assertThat(edited.failures()).as("%s", edited).isEmpty();
        assertThat(edited.byVersion()).as("the edit reached the sidecars: %s", edited).containsOnlyKeys("v2");
    }
}
