package dev.meshgate.core.security.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshgate.core.mesh.MeshConfig;

import org.junit.jupiter.api.Test;

class SpiffeIdTest {

    @Test
    void formatsIstiosWorkloadIdentity() {
        SpiffeId id = new SpiffeId("cluster.local", "shop", "web");

        assertThat(id.uri()).isEqualTo("spiffe://cluster.local/ns/shop/sa/web");
        assertThat(id.principal()).isEqualTo("cluster.local/ns/shop/sa/web");
        assertThat(SpiffeId.parse(id.uri())).isEqualTo(id);
    }

    @Test
    void trustDomainDefaultsToClusterLocalAndFollowsMeshConfig() {
        assertThat(MeshConfig.DEFAULT.trustDomainOrDefault()).isEqualTo("cluster.local");
        MeshConfig custom = new MeshConfig(null, null, null, null, "example.org", null, null, null, null, null, null,
                java.util.List.of(), null);
        assertThat(custom.trustDomainOrDefault()).isEqualTo("example.org");
    }

    @Test
    void uriThatIsNotAWorkloadIdentityIsRefusedNamingTheForm() {
        assertThatThrownBy(() -> SpiffeId.parse("spiffe://cluster.local/ns/shop"))
                .hasMessageContaining("spiffe://<trust domain>/ns/<namespace>/sa/<service account>");
        assertThatThrownBy(() -> SpiffeId.parse("https://cluster.local/ns/a/sa/b"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SpiffeId("cluster.local", "a/b", "c")).hasMessageStartingWith("namespace:");
    }
}
