package dev.meshgate.bench.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.meshgate.core.index.MeshIndex;
import dev.meshgate.core.translate.ProxyViewTranslator;
import dev.meshgate.core.view.ListenerSpec;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.view.VirtualHostSpec;

class MeshYamlTest {

    @Test
    void generatedMeshIsValidAndTranslatesToOneVirtualHostPerServiceWithItsRoutes() {
        MeshYaml mesh = new MeshYaml(50, 4, 10);

        MeshIndex index = MeshFixture.index(mesh);
        ProxyView view = ProxyViewTranslator.translate(index, MeshFixture.sidecar("test"));

        ListenerSpec outbound = view.listeners().get(0);
        assertThat(outbound.virtualHosts()).hasSize(50);
        assertThat(outbound.virtualHosts().stream().mapToInt(vh -> vh.routes().size()).sum()).isEqualTo(500);
        VirtualHostSpec first = outbound.virtualHosts().get(0);
        assertThat(first.domains()).anyMatch(domain -> domain.endsWith(".svc.cluster.local"));
    }

    @Test
    void aRevisionChangesOnlyTheDefaultRouteWeights() {
        MeshYaml mesh = new MeshYaml(3, 2, 3);

        String before = mesh.service(1, 0);
        String after = mesh.service(1, 1);

        assertThat(after).isNotEqualTo(before);
        assertThat(after.replaceAll("weight: \\d+", "")).isEqualTo(before.replaceAll("weight: \\d+", ""));
    }
}
