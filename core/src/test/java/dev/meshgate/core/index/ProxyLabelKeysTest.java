package dev.meshgate.core.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;

import dev.meshgate.core.resource.Resource;
import dev.meshgate.core.yaml.ResourceReader;

import org.junit.jupiter.api.Test;

/** What the index derives once per resource object: selector label keys, canonical forms. */
class ProxyLabelKeysTest {

    static final String MESH = """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: web, namespace: default}
            spec:
              hosts: [web]
              http:
                - match: [{sourceLabels: {app: canary}}]
                  route: [{destination: {host: web}}]
            """;

    @Test
    void aSpecsKeysAreFoundOncePerObject() {
        Resource<?> resource = ResourceReader.read("a.yaml", MESH).resources().get(0);
        Resource<?> equal = ResourceReader.read("a.yaml", MESH).resources().get(0);

        Set<String> keys = ProxyLabelKeys.ofSpec(resource.spec());

        assertThat(keys).containsExactly("app");
        assertThat(ProxyLabelKeys.ofSpec(resource.spec())).isSameAs(keys);
        assertThat(ProxyLabelKeys.ofSpec(equal.spec())).isEqualTo(keys).isNotSameAs(keys);
        assertThat(ProxyLabelKeys.of(List.of(resource), MeshSettings.DEFAULT)).contains("app");
    }

    @Test
    void aResourcesCanonicalFormIsWrittenOncePerObjectAndTheVersionFollowsTheContent() {
        Resource<?> resource = ResourceReader.read("a.yaml", MESH).resources().get(0);
        Resource<?> equal = ResourceReader.read("b.yaml", MESH).resources().get(0);
        Resource<?> other = ResourceReader.read("a.yaml", MESH.replace("canary", "beta")).resources().get(0);

        String json = MeshIndex.canonicalJson(resource);

        assertThat(MeshIndex.canonicalJson(resource)).isSameAs(json);
        assertThat(MeshIndex.canonicalJson(equal)).isEqualTo(json).isNotSameAs(json);
        // the index's version is the same for equal content read twice, and differs for other content
        assertThat(MeshIndex.of(List.of(equal), MeshSettings.DEFAULT).version())
                .isEqualTo(MeshIndex.of(List.of(resource), MeshSettings.DEFAULT).version())
                .isNotEqualTo(MeshIndex.of(List.of(other), MeshSettings.DEFAULT).version());
    }
}
