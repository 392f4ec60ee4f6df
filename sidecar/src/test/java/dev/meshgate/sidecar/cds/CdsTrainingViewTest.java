package dev.meshgate.sidecar.cds;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.meshgate.core.discovery.DiscoveryCodec;
import dev.meshgate.core.discovery.Push;
import dev.meshgate.core.index.MeshSettings;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.ProxyKind;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.yaml.MeshConfigReader;
import dev.meshgate.testing.MeshYaml;

import org.junit.jupiter.api.Test;

/**
 * The push frame of the class-data-sharing training run ({@code src/cds/training-view.json}, pushed by
 * {@code jvm/CdsTraining.java}) is the training mesh ({@code src/cds/training-mesh.yaml}, with the MeshConfig
 * {@code src/cds/training-mesh-config.yaml}) translated by the control
 * plane's own reader, validator and translator for the training sidecar: so the archive holds what applying today's
 * views loads. After a change of the translation or of the view's format, rewrite the file with
 * {@code -Dmeshgate.cds.write-view=true} (this test, e.g. {@code ./mvnw -pl sidecar -am test -Dtest=CdsTrainingViewTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Dmeshgate.cds.skip=true -Dmeshgate.cds.write-view=true}).
 */
class CdsTrainingViewTest {

    private static final Path MESH = Path.of("src/cds/training-mesh.yaml");
    private static final Path MESH_CONFIG = Path.of("src/cds/training-mesh-config.yaml");
    private static final Path VIEW = Path.of("src/cds/training-view.json");
    /** The ports of the {@code {port:NAME}} placeholders here: any, as long as no other number of the view is one. */
    private static final Map<String, Integer> PORTS = Map.of("app", 59901, "inbound", 59902);
    /** The training sidecar as it says hello (sidecar/pom.xml's meshgate.cds.training-args). */
    private static final ProxyIdentity PROXY = new ProxyIdentity("cds-training", "default", ProxyKind.SIDECAR,
            Map.of("app", "cds-training"), "default", null);

    @Test
    void theTrainingViewIsTheTrainingMeshTranslatedWithTheTrainingPortsLeftAsPlaceholders() throws IOException {
        MeshConfigReader.Result meshConfig = MeshConfigReader.read(MESH_CONFIG.toString(),
                withPorts(Files.readString(MESH_CONFIG)));
        assertThat(meshConfig.diagnostics()).isEmpty();
        ProxyView view = MeshYaml.view(withPorts(Files.readString(MESH)), PROXY,
                MeshSettings.DEFAULT.with(meshConfig.meshConfig()));
        if (Boolean.getBoolean("meshgate.cds.write-view")) {
            Files.writeString(VIEW, withPlaceholders(DiscoveryCodec.encode(new Push(view))) + "\n");
        }
        String template = Files.readString(VIEW);
        assertThat(template).contains("{port:app}", "{port:inbound}");
        assertThat(view.tcpListeners()).isNotEmpty();
        assertThat(view.tracing()).isNotNull();
        // compared as objects: the encoding's map order may differ between runs
        assertThat(DiscoveryCodec.decode(withPorts(template))).usingRecursiveComparison().isEqualTo(new Push(view));
    }

    private static String withPorts(String text) {
        String result = text;
        for (Map.Entry<String, Integer> port : PORTS.entrySet()) {
            result = result.replace("{port:" + port.getKey() + "}", Integer.toString(port.getValue()));
        }
        return result;
    }

    private static String withPlaceholders(String json) {
        String result = json;
        for (Map.Entry<String, Integer> port : PORTS.entrySet()) {
            result = Pattern.compile("\\b" + port.getValue() + "\\b").matcher(result)
                    .replaceAll(Matcher.quoteReplacement("{port:" + port.getKey() + "}"));
        }
        return result;
    }
}
