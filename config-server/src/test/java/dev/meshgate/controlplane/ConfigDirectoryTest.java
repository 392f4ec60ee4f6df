package dev.meshgate.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Startup refuses a config-dir that is missing or not a directory (or a missing mesh-config), with a one-line reason. */
class ConfigDirectoryTest {

    @TempDir
    Path tmp;

    @Test
    void aMissingConfigDirFailsStartupWithItsPath() {
        Path missing = tmp.resolve("nope");
        FailureAnalysis analysis = startupFailure("--meshgate.control-plane.config-dir=" + missing);
        assertThat(analysis.getDescription())
                .isEqualTo("meshgate.control-plane.config-dir " + missing + " does not exist");
    }

    @Test
    void aConfigDirThatIsAFileFailsStartup() throws IOException {
        Path file = Files.writeString(tmp.resolve("mesh.yaml"), "");
        assertThat(startupFailure("--meshgate.control-plane.config-dir=" + file).getDescription())
                .isEqualTo("meshgate.control-plane.config-dir " + file + " is not a directory");
    }

    @Test
    void aMissingMeshConfigFileFailsStartupWithItsPath() {
        Path missing = tmp.resolve("istio-mesh.yaml");
        FailureAnalysis analysis = startupFailure("--meshgate.control-plane.config-dir=" + tmp,
                "--meshgate.control-plane.mesh-config=" + missing);
        assertThat(analysis.getDescription()).startsWith("meshgate.control-plane.mesh-config " + missing
                + " does not exist");
        assertThat(analysis.getAction()).contains("mesh-config");
    }

    @Test
    void anUnsetConfigDirFailsStartup() {
        assertThat(startupFailure().getDescription()).startsWith("meshgate.control-plane.config-dir is not set");
    }

    private static FailureAnalysis startupFailure(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--meshgate.control-plane.port=0";
        all[args.length + 1] = "--meshgate.control-plane.tls-port=0";
        Throwable failure = catchThrowable(() -> new SpringApplicationBuilder(ConfigServerApplication.class)
                .run(all).close());
        assertThat(failure).isNotNull();
        FailureAnalysis analysis = new ConfigDirectoryFailureAnalyzer().analyze(failure);
        assertThat(analysis).as("analysis of %s", failure).isNotNull();
        assertThat(analysis.getDescription()).doesNotContain("\n");
        return analysis;
    }
}
