package dev.meshgate.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshgate.core.index.MeshIndex;
import dev.meshgate.core.index.MeshSettings;
import dev.meshgate.core.translate.ProxyViewTranslator;
import dev.meshgate.core.validation.MeshValidator;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.yaml.ResourceReader;

/** Istio YAML a test writes, turned into a proxy's view by the control plane's own reader, validator and translator. */
public final class MeshYaml {

    private MeshYaml() {
    }

    /** The view of {@code proxy}; the YAML must read and validate without a single diagnostic. */
    public static ProxyView view(String yaml, ProxyIdentity proxy, MeshSettings settings) {
        ResourceReader.ReadResult read = ResourceReader.read("test.yaml", yaml);
        MeshValidator.ValidationResult validated = MeshValidator.validate(read.resources(), read.diagnostics());
        assertThat(validated.diagnostics()).as("diagnostics of the test's YAML").isEmpty();
        return ProxyViewTranslator.translate(MeshIndex.of(validated.accepted(), settings), proxy);
    }
}
