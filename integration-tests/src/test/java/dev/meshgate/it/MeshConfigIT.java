package dev.meshgate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import dev.meshgate.it.harness.DiagnosticsReport;
import dev.meshgate.it.harness.DumpLogsOnFailure;
import dev.meshgate.it.harness.Mesh;
import dev.meshgate.it.harness.Reply;
import dev.meshgate.it.harness.SidecarClient;
import tools.jackson.databind.JsonNode;

/**
 * The control plane started with {@code --meshgate.control-plane.mesh-config=FILE} (the istio ConfigMap form): an
 * edit of the file reaches the sidecars (outbound traffic policy, path normalization), a broken edit is reported
 * and the last valid MeshConfig stays in force.
 */
@ExtendWith(DumpLogsOnFailure.class)
class MeshConfigIT {

    /** {@code /admin} to v2, the rest to v1. */
    static final String ADMIN_TO_V2 = WebConfig.virtualServiceForWeb("web", """
            - match:
              - uri:
                  prefix: /admin
              route:
              - destination:
                  host: web
                  subset: v2
            - route:
              - destination:
                  host: web
                  subset: v1
            """);

    @TempDir
    static Path meshDir;

    @AutoClose
    private static Mesh mesh;
    private static SidecarClient client;
    private static Path meshFile;

    static String configMap(String meshConfig) {
        return """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: istio
                  namespace: istio-system
                data:
                  mesh: |-
                """ + meshConfig.indent(4);
    }

    static void writeMeshConfig(String text) {
        try {
            Path tmp = meshDir.resolve(".istio.yaml.tmp");
            Files.writeString(tmp, text);
            Files.move(tmp, meshFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @BeforeAll
    static void startMesh() {
        meshFile = meshDir.resolve("istio.yaml");
        writeMeshConfig(configMap("""
                outboundTrafficPolicy:
                  mode: ALLOW_ANY
                pathNormalization:
                  normalization: NONE
                """));
        mesh = WebConfig.versionedMesh(MeshConfigIT.class)
                .controlPlaneProperty("meshgate.control-plane.mesh-config", meshFile.toString())
                .config("web-routes.yaml", ADMIN_TO_V2)
                .start();
        client = mesh.sidecar("client").client();
    }

    @Test
    void editsOfTheMeshConfigFileReachTheSidecarsAndABrokenEditKeepsTheLastValidOne() {
        JsonNode initial = mesh.controlPlane().meshConfig();
        assertThat(initial.path("file").asString()).isEqualTo(meshFile.toString());
        assertThat(initial.path("settings").path("pathNormalization").asString()).isEqualTo("NONE");
        Reply unnormalized = client.get("http://web/public/../admin");
        assertThat(unnormalized.version()).as("NONE: matched as sent, %s", unnormalized).isEqualTo("v1");
        assertThat(unnormalized.header("x-echo-path")).as("%s", unnormalized).isEqualTo("/public/../admin");

        String before = mesh.status().snapshotVersion();
        writeMeshConfig(configMap("""
                outboundTrafficPolicy:
                  mode: REGISTRY_ONLY
                pathNormalization:
                  normalization: BASE
                """));
        mesh.awaitSyncedAfter(before);

        Reply normalized = client.get("http://web/public/../admin");
        assertThat(normalized.version()).as("BASE: /public/../admin is /admin, %s", normalized).isEqualTo("v2");
        assertThat(normalized.header("x-echo-path")).as("%s", normalized).isEqualTo("/admin");
        Reply unknown = client.get("http://unknown.example.com/");
        assertThat(unknown.status()).as("REGISTRY_ONLY: %s", unknown).isEqualTo(502);
        assertThat(unknown.responseFlags()).as("%s", unknown).isEqualTo("NR");

        String good = mesh.status().snapshotVersion();
        writeMeshConfig(configMap("""
                outboundTrafficPolicy:
                  mode: ALLOW_ANY
                pathNormalization:
                  normalization: SOMETIMES
                """));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(mesh.controlPlane().diagnostics()
                .diagnostics()).extracting(DiagnosticsReport.Entry::code).contains("MG0007", "MG0013"));
        DiagnosticsReport.Entry error = mesh.controlPlane().diagnostics().diagnostics().stream()
                .filter(d -> d.code().equals("MG0007")).findFirst().orElseThrow();
        assertThat(error.kind()).isEqualTo("MeshConfig");
        assertThat(error.field()).isEqualTo("pathNormalization.normalization");
        assertThat(error.message()).contains("SOMETIMES", "NONE, BASE, MERGE_SLASHES");
        assertThat(error.source()).startsWith(meshFile.toString() + ":");

        JsonNode kept = mesh.controlPlane().meshConfig();
        assertThat(kept.path("settings").path("pathNormalization").asString()).isEqualTo("BASE");
        assertThat(kept.path("settings").path("outboundTrafficPolicy").asString()).isEqualTo("REGISTRY_ONLY");
        assertThat(mesh.status().snapshotVersion()).isEqualTo(good);
        assertThat(client.get("http://web/public/../admin").version()).isEqualTo("v2");
        assertThat(client.get("http://unknown.example.com/").responseFlags()).isEqualTo("NR");
    }
}
