package dev.meshgate.core.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.meshgate.core.registry.Locality;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.ProxyKind;

class HelloLocalityTest {

    @Test
    void theHelloCarriesTheProxysLocalityAndOmitsItWhenUnknown() {
        ProxyIdentity placed = new ProxyIdentity("web-1", "default", ProxyKind.SIDECAR, Map.of(), "web",
                "us-east/zone-a/rack-1");
        String json = DiscoveryCodec.encode(new Hello(placed, null));
        assertThat(DiscoveryCodec.decode(json)).isEqualTo(new Hello(placed, null));

        ProxyIdentity unplaced = new ProxyIdentity("web-1", "default", ProxyKind.SIDECAR, Map.of(), "web");
        String plain = DiscoveryCodec.encode(new Hello(unplaced, null));
        assertThat(plain).doesNotContain("locality");
        assertThat(DiscoveryCodec.decode(plain)).isEqualTo(new Hello(unplaced, null));
    }

    @Test
    void aProxyWithoutConfiguredLocalityTakesItFromItsLabels() {
        ProxyIdentity labelled = new ProxyIdentity("web-1", "default", ProxyKind.SIDECAR,
                Map.of(Locality.REGION_LABEL, "eu", Locality.ZONE_LABEL, "eu-1"), null);
        assertThat(labelled.localityOrLabels()).isEqualTo(new Locality("eu", "eu-1", ""));
    }
}
