package dev.meshgate.controlplane.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.meshgate.controlplane.snapshot.SnapshotBuilder;
import dev.meshgate.controlplane.snapshot.SnapshotHolder;
import dev.meshgate.controlplane.source.ConfigSet;
import dev.meshgate.core.index.MeshSettings;
import dev.meshgate.core.mesh.MeshConfig;
import dev.meshgate.core.mesh.MeshConfig.ProxyPathNormalization.NormalizationType;
import dev.meshgate.core.validation.Diagnostic;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.ProxyKind;
import dev.meshgate.core.view.ProxyView;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The MeshConfig file, watched: edits apply, broken edits keep the last valid MeshConfig, into the snapshot. */
class MeshConfigFileSourceTest {

    static final ProxyIdentity CLIENT = new ProxyIdentity("client", "default", ProxyKind.SIDECAR, Map.of("app", "client"),
            "default");

    @TempDir
    Path dir;

    final List<MeshConfigState> delivered = new CopyOnWriteArrayList<>();
    MeshConfigFileSource source;

    @AfterEach
    void close() {
        if (source != null) {
            source.close();
        }
    }

    private Path write(String text) throws IOException {
        Path file = dir.resolve("mesh.yaml");
        Path tmp = dir.resolve(".mesh.yaml.tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return file;
    }

    private MeshConfigState last() {
        return delivered.get(delivered.size() - 1);
    }

    private static List<String> formatted(MeshConfigState state) {
        return state.diagnostics().stream().map(Diagnostic::format).toList();
    }

    @Test
    void editsApplyAndABrokenEditKeepsTheLastValidMeshConfig() throws IOException {
        Path file = write("outboundTrafficPolicy: {mode: ALLOW_ANY}\n");
        source = new MeshConfigFileSource(file, Duration.ofMillis(50), Duration.ofMillis(200));
        source.start(delivered::add);
        assertThat(delivered).hasSize(1);
        assertThat(last().meshConfig().outboundTrafficPolicyMode()).isEqualTo(MeshConfig.OutboundTrafficPolicy.Mode.ALLOW_ANY);
        assertThat(last().diagnostics()).isEmpty();

        write("outboundTrafficPolicy: {mode: REGISTRY_ONLY}\npathNormalization: {normalization: NONE}\n");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(last().meshConfig()
                .outboundTrafficPolicyMode()).isEqualTo(MeshConfig.OutboundTrafficPolicy.Mode.REGISTRY_ONLY));
        assertThat(last().meshConfig().pathNormalizationOrDefault()).isEqualTo(NormalizationType.NONE);

        write("outboundTrafficPolicy: {mode: ALLOW_ALL}\n");
        await().atMost(Duration.ofSeconds(20)).until(() -> !last().diagnostics().isEmpty());
        assertThat(last().meshConfig().outboundTrafficPolicyMode()).isEqualTo(MeshConfig.OutboundTrafficPolicy.Mode.REGISTRY_ONLY);
        assertThat(formatted(last())).anySatisfy(line -> assertThat(line)
                .startsWith("ERROR [MG0007] MeshConfig outboundTrafficPolicy.mode: ").contains("ALLOW_ALL")
                .endsWith("(" + file + ":1)"));
        assertThat(formatted(last())).anySatisfy(line -> assertThat(line).startsWith("WARNING [MG0013] MeshConfig")
                .contains("last valid MeshConfig stays in force"));

        Files.delete(file);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(formatted(last()))
                .anySatisfy(line -> assertThat(line).startsWith("ERROR [MG0012] MeshConfig")));
        assertThat(last().meshConfig().outboundTrafficPolicyMode()).isEqualTo(MeshConfig.OutboundTrafficPolicy.Mode.REGISTRY_ONLY);
    }

    @Test
    void aBadFileAtStartLeavesIstiosDefaultsAndSaysSo() throws IOException {
        source = new MeshConfigFileSource(write("rootNamespace: [x]\n"), Duration.ofMillis(50), Duration.ofMillis(200));
        source.start(delivered::add);
        assertThat(last().meshConfig()).isEqualTo(MeshConfig.DEFAULT);
        assertThat(formatted(last())).anySatisfy(line -> assertThat(line).startsWith("WARNING [MG0013]")
                .contains("Istio's defaults"));
    }

    @Test
    void theSnapshotFollowsTheMeshConfigOverThePropertiesAndCarriesItsDiagnostics() {
        SnapshotHolder holder = new SnapshotHolder();
        SnapshotBuilder builder = new SnapshotBuilder(MeshSettings.DEFAULT, holder);
        builder.accept(ConfigSet.EMPTY);
        ProxyView before = holder.current().views().apply(CLIENT);
        assertThat(before.outboundTrafficPolicy()).isEqualTo(ProxyView.OutboundTrafficPolicy.ALLOW_ANY);
        assertThat(before.pathNormalization()).isEqualTo(NormalizationType.BASE);

        MeshConfigState state = new MeshConfigState("mesh.yaml", dev.meshgate.core.validation.MeshConfigValidator.read(
                "mesh.yaml", "outboundTrafficPolicy: {mode: REGISTRY_ONLY}\npathNormalization: {normalization: NONE}\n"
                        + "accessLogFile: /dev/stdout\n").meshConfig(), List.of(dev.meshgate.core.validation.DiagnosticCode
                .UNSUPPORTED_FIELD.diagnostic("MeshConfig", null, "accessLogFile", "not enforced yet", "mesh.yaml")));
        builder.acceptMeshConfig(state);
        ProxyView after = holder.current().views().apply(CLIENT);
        assertThat(after.outboundTrafficPolicy()).isEqualTo(ProxyView.OutboundTrafficPolicy.REGISTRY_ONLY);
        assertThat(after.pathNormalization()).isEqualTo(NormalizationType.NONE);
        assertThat(after.version()).isNotEqualTo(before.version());
        assertThat(holder.current().diagnostics()).extracting(Diagnostic::kind).contains("MeshConfig");
        assertThat(builder.settings().outboundTrafficPolicy()).isEqualTo(ProxyView.OutboundTrafficPolicy.REGISTRY_ONLY);
    }
}
