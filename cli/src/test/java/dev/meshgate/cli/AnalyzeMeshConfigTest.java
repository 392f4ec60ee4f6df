package dev.meshgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code analyze DIR --mesh-config FILE}: the MeshConfig file is validated as the control plane reads it. */
class AnalyzeMeshConfigTest {

    @TempDir
    Path dir;

    @Test
    void aBadMeshConfigFieldIsPrintedAndFailsTheRun() throws IOException {
        Path config = Files.createDirectories(dir.resolve("config"));
        Path mesh = Files.writeString(dir.resolve("mesh.yaml"), "outboundTrafficPolicy:\n  mode: BLOCK\n");

        Run run = Run.of("analyze", config.toString(), "--mesh-config", mesh.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.outLines()).containsExactly("ERROR [MG0007] MeshConfig outboundTrafficPolicy.mode: unknown value: "
                + "\"BLOCK\" (expected one of REGISTRY_ONLY, ALLOW_ANY) (" + mesh + ":2)",
                "0 resources, 1 errors, 0 warnings");
    }

    @Test
    void aValidMeshConfigPassesAndItsUnsupportedFieldsWarn() throws IOException {
        Path config = Files.createDirectories(dir.resolve("config"));
        Path mesh = Files.writeString(dir.resolve("mesh.yaml"), "pathNormalization: {normalization: NONE}\n"
                + "enableAutoMtls: false\n" + "defaultConfig: {discoveryAddress: istiod:15012}\n");

        Run run = Run.of("analyze", "--mesh-config", mesh.toString(), config.toString());

        assertThat(run.exitCode()).isZero();
        assertThat(run.outLines()).hasSize(2);
        assertThat(run.outLines().get(0)).startsWith("WARNING [MG0001] MeshConfig defaultConfig.discoveryAddress: unsupported");
        assertThat(run.outLines().get(1)).isEqualTo("0 resources, 0 errors, 1 warnings");
    }
}
