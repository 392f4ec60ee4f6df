package dev.meshgate.controlplane.source.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The install's CRDs and RBAC name resources by {@code Kind.plural()}: the informers must use the same names. */
class IstioPluralsTest {

    @Test
    void theInformersResourceNamesAreTheKindsPlurals() {
        KubernetesConfigSource.ISTIO_PLURALS.forEach((kind, plural) -> assertThat(kind.plural()).isEqualTo(plural));
    }
}
