package dev.meshgate.core.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;

import dev.meshgate.core.resource.Resource;
import dev.meshgate.core.yaml.ResourceReader;

import org.junit.jupiter.api.Test;

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
}
