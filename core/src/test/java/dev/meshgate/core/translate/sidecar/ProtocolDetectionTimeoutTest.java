package dev.meshgate.core.translate.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import dev.meshgate.core.discovery.DiscoveryCodec;
import dev.meshgate.core.discovery.Push;
import dev.meshgate.core.index.MeshIndex;
import dev.meshgate.core.index.MeshSettings;
import dev.meshgate.core.translate.ProxyViewTranslator;
import dev.meshgate.core.validation.MeshConfigValidator;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.ProxyKind;
import dev.meshgate.core.view.ProxyView;

import org.junit.jupiter.api.Test;

/**
 * MeshConfig {@code protocolDetectionTimeout} reaches sidecars' views (gateways do not sniff); Istio's default, 0s
 * (no timeout), keeps views as they were; a value Istio refuses is an error naming it.
 */
class ProtocolDetectionTimeoutTest {

    private static final ProxyIdentity SIDECAR = new ProxyIdentity("web-1", "default", ProxyKind.SIDECAR,
            Map.of("app", "web"), "web");
    private static final ProxyIdentity GATEWAY = new ProxyIdentity("ingress-1", "istio-system", ProxyKind.GATEWAY,
            Map.of("istio", "ingressgateway"), "ingress");

    private static ProxyView view(String meshConfig, ProxyIdentity proxy) {
        MeshConfigValidator.Result mesh = MeshConfigValidator.read("mesh.yaml", meshConfig);
        assertThat(mesh.diagnostics()).isEmpty();
        return ProxyViewTranslator.translate(MeshIndex.of(List.of(), MeshSettings.DEFAULT.with(mesh.meshConfig())),
                proxy);
    }

    @Test
    void theTimeoutReachesSidecarsAndCrossesTheWire() {
        ProxyView view = view("protocolDetectionTimeout: 1.5s\n", SIDECAR);
        assertThat(view.protocolDetectionTimeoutMillis()).isEqualTo(1500L);
        Push decoded = (Push) DiscoveryCodec.decode(DiscoveryCodec.encode(new Push(view)));
        assertThat(decoded.view().protocolDetectionTimeoutMillis()).isEqualTo(1500L);
        assertThat(view.version()).isNotEqualTo(view("rootNamespace: istio-system\n", SIDECAR).version());
        assertThat(view("protocolDetectionTimeout: 1.5s\n", GATEWAY).protocolDetectionTimeoutMillis()).isNull();
    }

    @Test
    void istiosDefaultZeroKeepsTheViewAsItWas() {
        ProxyView plain = view("rootNamespace: istio-system\n", SIDECAR);
        ProxyView zero = view("protocolDetectionTimeout: 0s\n", SIDECAR);
        assertThat(zero.protocolDetectionTimeoutMillis()).isNull();
        assertThat(zero.version()).isEqualTo(plain.version());
        assertThat(DiscoveryCodec.encode(new Push(plain))).doesNotContain("protocolDetectionTimeout");
    }

    @Test
    void aTimeoutIstioRefusesIsAnErrorNamingIt() {
        for (String bad : List.of("100us", "soon", "-1s")) {
            MeshConfigValidator.Result result = MeshConfigValidator.read("mesh.yaml",
                    "protocolDetectionTimeout: " + bad + "\n");
            assertThat(result.meshConfig()).isNull();
            assertThat(result.diagnostics()).singleElement().satisfies(d -> assertThat(d.format())
                    .startsWith("ERROR [MG0340] MeshConfig")
                    .contains("protocolDetectionTimeout").contains(bad).contains("at least 1ms"));
        }
    }
}
