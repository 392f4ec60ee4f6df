package dev.meshgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.meshgate.it.harness.DumpLogsOnFailure;
import dev.meshgate.it.harness.Load;
import dev.meshgate.it.harness.Mesh;
import dev.meshgate.it.harness.MeshProxy;
import dev.meshgate.it.harness.ProxiesReport;
import dev.meshgate.it.harness.ProxyStatus;
import dev.meshgate.it.harness.Replies;
import tools.jackson.databind.JsonNode;

/** An edit of the YAML directory is applied by every proxy within a second, and traffic follows it. */
@ExtendWith(DumpLogsOnFailure.class)
class ConfigUpdateIT {

    /** The bound on edit-to-applied, from the file write to every proxy acking the new view. */
    private static final Duration APPLIED_WITHIN = Duration.ofSeconds(1);
    /** Edits tried, at most, for one that meets {@link #APPLIED_WITHIN}. */
    private static final int EDITS = 3;

    @AutoClose
    private static Mesh mesh;

    @BeforeAll
    static void startMesh() {
        mesh = WebConfig.versionedMesh(ConfigUpdateIT.class)
                .ingressGateway()
                .config("ingress.yaml", WebConfig.GATEWAY)
                .config("web-routes.yaml", WebConfig.weightedForMeshAndGateway(100, 0))
                .start();
    }

    @Test
    void deletingTheVirtualServiceFallsBackToTheDefaultRouteOverEveryEndpoint() {
        String before = mesh.status().snapshotVersion();

        mesh.config().delete("web-routes.yaml");
        String deleted = mesh.awaitSyncedAfter(before).snapshotVersion();
        try {
            Replies replies = Load.send(40, () -> mesh.sidecar("client").client().get("http://web/"));
            assertThat(replies.failures()).as("%s", replies).isEmpty();
            // No VirtualService: the default route over both endpoints; 40 requests all on one of them would take a
            // balancer stuck on it (a fair one does that with probability 2 * 0.5^40).
            assertThat(replies.byVersion()).as("%s", replies).containsOnlyKeys("v1", "v2");
        } finally {
            // Restored even when this fails: the other test starts from all traffic on v1.
            mesh.config().write("web-routes.yaml", WebConfig.weightedForMeshAndGateway(100, 0));
            mesh.awaitSyncedAfter(deleted);
        }
    }

    @Test
    void shiftingAllTrafficToV2IsAckedByEveryProxyWithinASecondAndTrafficFollows() {
        assertThat(Load.send(20, () -> mesh.sidecar("client").client().get("http://web/")).byVersion())
                .as("before the edit").containsOnlyKeys("v1");

        // The least of up to three edits: what disturbs a round on a loaded machine (other builds' JVMs on the two
        // cores) only adds time, so one undisturbed round shows the bound; a push held back a second or more
        // (debounce, timer) misses it in every round.
        Duration fastest = null;
        ProxiesReport synced = null;
        for (int round = 1; round <= EDITS && (fastest == null || fastest.compareTo(APPLIED_WITHIN) > 0); round++) {
            if (round > 1) {
                String shifted = mesh.status().snapshotVersion();
                mesh.config().write("web-routes.yaml", WebConfig.weightedForMeshAndGateway(100, 0));
                mesh.awaitSyncedAfter(shifted);
            }
            String before = mesh.status().snapshotVersion();
            long written = System.nanoTime();
            mesh.config().write("web-routes.yaml", WebConfig.weightedForMeshAndGateway(0, 100));
            synced = mesh.awaitSyncedAfter(before);
            Duration applied = Duration.ofNanos(System.nanoTime() - written);
            System.out.printf("ConfigUpdateIT: edit %d -> %d proxies SYNCED on %s in %d ms%n", round,
                    mesh.proxyIds().size(), synced.snapshotVersion(), applied.toMillis());
            fastest = fastest == null || applied.compareTo(fastest) < 0 ? applied : fastest;
        }

        assertThat(fastest).as("file write to every proxy SYNCED on the new snapshot, least of %d edits: %s", EDITS,
                synced.proxies()).isLessThanOrEqualTo(APPLIED_WITHIN);
        for (MeshProxy proxy : mesh.proxies()) {
            ProxyStatus status = synced.proxy(proxy.id()).orElseThrow();
            JsonNode admin = proxy.admin();
            assertThat(admin.path("appliedVersion").asString()).as("%s applied what it acked (%s)", proxy, status)
                    .isEqualTo(status.ackedVersion());
        }

        Replies viaSidecar = Load.send(50, () -> mesh.sidecar("client").client().get("http://web/"));
        assertThat(viaSidecar.failures()).as("%s", viaSidecar).isEmpty();
        assertThat(viaSidecar.byVersion()).as("%s", viaSidecar).containsOnlyKeys("v2");
        Replies viaGateway = Load.send(50, () -> mesh.gateway().client().get("web.example.com", "/"));
        assertThat(viaGateway.failures()).as("%s", viaGateway).isEmpty();
        assertThat(viaGateway.byVersion()).as("%s", viaGateway).containsOnlyKeys("v2");
    }
}
