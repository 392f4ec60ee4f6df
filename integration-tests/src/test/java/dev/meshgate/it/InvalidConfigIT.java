package dev.meshgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.meshgate.it.harness.DiagnosticsReport;
import dev.meshgate.it.harness.DumpLogsOnFailure;
import dev.meshgate.it.harness.Load;
import dev.meshgate.it.harness.Mesh;
import dev.meshgate.it.harness.ProxiesReport;
import dev.meshgate.it.harness.ProxyStatus;
import dev.meshgate.it.harness.Readiness;
import dev.meshgate.it.harness.Replies;
import dev.meshgate.it.harness.SidecarClient;

/**
 * An invalid file dropped beside good config is reported with kind, resource, field and code, is left out, and
 * does not disturb anything else: the previous routing keeps working and the proxies stay in sync. Fixing the
 * file applies it. An edit that breaks a serving resource leaves its last valid version serving.
 */
@ExtendWith(DumpLogsOnFailure.class)
class InvalidConfigIT {

    private static final String BROKEN_REGEX = WebConfig.virtualServiceForWeb("broken-regex", """
            - match:
              - uri:
                  regex: "^/(unclosed"
              route:
              - destination:
                  host: web
                  subset: v2
            """);

    @AutoClose
    private static Mesh mesh;
    private static SidecarClient client;

    @BeforeAll
    static void startMesh() {
        mesh = WebConfig.versionedMesh(InvalidConfigIT.class)
                .config("web-routes.yaml", WebConfig.jasonToV2("v1"))
                // A second service over the same workloads, with no VirtualService (yet).
                .config("plain.yaml", WebConfig.PLAIN_SERVICE)
                .start();
        client = mesh.sidecar("client").client();
    }

    @Test
    void invalidFilesAreReportedAndLeftOutWhileThePreviousRoutingKeepsWorkingUntilFixed() {
        mesh.config().write("plain-routes.yaml", WebConfig.plainWeighted(0, 0));
        mesh.config().write("broken-regex.yaml", BROKEN_REGEX);

        DiagnosticsReport reported = Readiness.waitUpTo(Readiness.SYNC)
                .until(() -> mesh.controlPlane().diagnostics(),
                        report -> errorFor(report, "default/plain") != null
                                && errorFor(report, "default/broken-regex") != null);
        DiagnosticsReport.Entry weights = errorFor(reported, "default/plain");
        assertThat(weights.kind()).as("%s", weights).isEqualTo("VirtualService");
        assertThat(weights.field()).as("%s", weights).startsWith("spec.http[0].route");
        assertThat(weights.code()).as("%s", weights).matches("MG\\d{4}");
        assertThat(weights.message()).as("names the zero total: %s", weights).contains("total destination weight = 0");
        DiagnosticsReport.Entry regex = errorFor(reported, "default/broken-regex");
        assertThat(regex.kind()).as("%s", regex).isEqualTo("VirtualService");
        assertThat(regex.field()).as("%s", regex).startsWith("spec.http[0].match[0].uri");
        assertThat(regex.code()).as("%s", regex).matches("MG\\d{4}");

        ProxiesReport afterInvalid = mesh.awaitSyncedAfter(null);
        assertThat(afterInvalid.proxies()).extracting(ProxyStatus::status).doesNotContain("NACKED");
        assertThat(Load.send(20, () -> client.get("http://web/", Map.of("end-user", "jason"))).byVersion())
                .as("jason still goes to v2").containsOnlyKeys("v2");
        assertThat(Load.send(20, () -> client.get("http://web/")).byVersion())
                .as("the rest still goes to v1 (the broken-regex VirtualService is left out)").containsOnlyKeys("v1");
        Replies plainBefore = Load.send(40, () -> client.get("http://plain/"));
        assertThat(plainBefore.failures()).as("%s", plainBefore).isEmpty();
        assertThat(plainBefore.byVersion()).as("plain keeps its default route over both versions: %s", plainBefore)
                .containsOnlyKeys("v1", "v2");

        mesh.config().write("plain-routes.yaml", WebConfig.plainWeighted(0, 100));

        mesh.awaitSyncedAfter(afterInvalid.snapshotVersion());
        DiagnosticsReport fixed = mesh.controlPlane().diagnostics();
        assertThat(errorFor(fixed, "default/plain")).as("%s", fixed.diagnostics()).isNull();
        Replies plainAfter = Load.send(40, () -> client.get("http://plain/"));
        assertThat(plainAfter.failures()).as("%s", plainAfter).isEmpty();
        assertThat(plainAfter.byVersion()).as("the fixed VirtualService applies: %s", plainAfter)
                .containsOnlyKeys("v2");
    }

    @Test
    void anEditThatBreaksTheServingVirtualServiceKeepsItsLastValidVersionServing() {
        // As with Istio's validating webhook refusing the update: the old VirtualService keeps routing. Left out
        // instead, web would fall back to its default route over v1 and v2, jason included.
        mesh.config().write("web-routes.yaml", WebConfig.weighted(0, 0));
        try {
            assertLastValidVersionServes();
        } finally {
            // Restored whatever happened, so that the other test of this class starts from the valid routes.
            mesh.config().write("web-routes.yaml", WebConfig.jasonToV2("v1"));
        }
        Readiness.waitUpTo(Readiness.SYNC)
                .until(() -> mesh.controlPlane().diagnostics(), report -> report.diagnostics().stream()
                        .noneMatch(entry -> "default/web".equals(entry.resource())));
    }

    private static void assertLastValidVersionServes() {
        DiagnosticsReport reported = Readiness.waitUpTo(Readiness.SYNC)
                .until(() -> mesh.controlPlane().diagnostics(), report -> errorFor(report, "default/web") != null);
        assertThat(reported.diagnostics()).as("the kept version is announced")
                .anySatisfy(entry -> {
                    assertThat(entry.code()).isEqualTo("MG0013");
                    assertThat(entry.resource()).isEqualTo("default/web");
                });
        ProxiesReport synced = mesh.awaitSyncedAfter(null);
        assertThat(synced.proxies()).extracting(ProxyStatus::status).doesNotContain("NACKED");
        assertThat(Load.send(20, () -> client.get("http://web/", Map.of("end-user", "jason"))).byVersion())
                .as("jason still goes to v2").containsOnlyKeys("v2");
        assertThat(Load.send(40, () -> client.get("http://web/")).byVersion())
                .as("the rest still goes to v1 only").containsOnlyKeys("v1");
    }

    private static DiagnosticsReport.Entry errorFor(DiagnosticsReport report, String resource) {
        return report.diagnostics().stream()
                .filter(entry -> "ERROR".equals(entry.severity()) && resource.equals(entry.resource()))
                .findFirst()
                .orElse(null);
    }
}
