package dev.meshgate.core.translate.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import dev.meshgate.core.discovery.DiscoveryCodec;
import dev.meshgate.core.discovery.Push;
import dev.meshgate.core.index.MeshIndex;
import dev.meshgate.core.index.MeshSettings;
import dev.meshgate.core.translate.ProxyViewTranslator;
import dev.meshgate.core.validation.Diagnostic;
import dev.meshgate.core.validation.MeshConfigValidator;
import dev.meshgate.core.validation.MeshValidator;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.ProxyKind;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.yaml.ResourceReader;

import org.junit.jupiter.api.Test;

/**
 * MeshConfig {@code defaultConfig.gatewayTopology.numTrustedProxies} reaches the views of gateways (Istio sets
 * Envoy's {@code xff_num_trusted_hops} on router proxies only) and never those of sidecars.
 */
class GatewayTopologyTest {

    private static final ProxyIdentity GATEWAY = new ProxyIdentity("ingress-1", "istio-system", ProxyKind.GATEWAY,
            Map.of("istio", "ingressgateway"), "ingress");
    private static final ProxyIdentity SIDECAR = new ProxyIdentity("web-1", "istio-system", ProxyKind.SIDECAR,
            Map.of("istio", "ingressgateway"), "web");

    private static final String DENY_ALL = """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: deny, namespace: istio-system}
            spec:
              action: DENY
              rules: [{from: [{source: {remoteIpBlocks: [203.0.113.0/24]}}]}]
            """;

    private static MeshIndex index(String meshConfig) {
        MeshConfigValidator.Result mesh = MeshConfigValidator.read("mesh.yaml", meshConfig);
        assertThat(mesh.diagnostics()).isEmpty();
        ResourceReader.ReadResult read = ResourceReader.read("t.yaml", DENY_ALL);
        MeshValidator.ValidationResult validated = MeshValidator.validate(read.resources());
        assertThat(validated.diagnostics()).isEmpty();
        return MeshIndex.of(validated.accepted(), MeshSettings.DEFAULT.with(mesh.meshConfig()));
    }

    @Test
    void numTrustedProxiesReachesGatewaysOnly() {
        MeshIndex index = index("defaultConfig:\n  gatewayTopology:\n    numTrustedProxies: 2\n");
        assertThat(ProxyViewTranslator.translate(index, GATEWAY).auth().numTrustedProxiesOrDefault()).isEqualTo(2);
        assertThat(ProxyViewTranslator.translate(index, SIDECAR).auth().numTrustedProxiesOrDefault()).isZero();
    }

    @Test
    void istiosDefaultTrustsNoProxyAndKeepsTheViewVersion() {
        MeshIndex plain = index("rootNamespace: istio-system\n");
        MeshIndex zero = index("defaultConfig:\n  gatewayTopology:\n    numTrustedProxies: 0\n");
        assertThat(ProxyViewTranslator.translate(plain, GATEWAY).auth().numTrustedProxiesOrDefault()).isZero();
        assertThat(ProxyViewTranslator.translate(zero, GATEWAY).version())
                .isEqualTo(ProxyViewTranslator.translate(plain, GATEWAY).version());
        assertThat(ProxyViewTranslator.translate(index("defaultConfig:\n  gatewayTopology:\n    numTrustedProxies: 1\n"),
                GATEWAY).version()).isNotEqualTo(ProxyViewTranslator.translate(plain, GATEWAY).version());
    }

    @Test
    void theCountCrossesTheDiscoveryWireAndViewsWithoutItStillDecode() {
        ProxyView trusting = ProxyViewTranslator.translate(index("defaultConfig:\n  gatewayTopology:\n"
                + "    numTrustedProxies: 2\n"), GATEWAY);
        ProxyView plain = ProxyViewTranslator.translate(index("rootNamespace: istio-system\n"), GATEWAY);
        for (ProxyView view : List.of(trusting, plain)) {
            Push decoded = (Push) DiscoveryCodec.decode(DiscoveryCodec.encode(new Push(view)));
            assertThat(decoded.view().auth().numTrustedProxiesOrDefault())
                    .isEqualTo(view.auth().numTrustedProxiesOrDefault());
        }
        assertThat(DiscoveryCodec.encode(new Push(plain))).doesNotContain("numTrustedProxies");
    }

    @Test
    void negativeCountIsAnErrorAndOtherTopologyFieldsAreReportedUnsupported() {
        MeshConfigValidator.Result result = MeshConfigValidator.read("mesh.yaml", """
                defaultConfig:
                  gatewayTopology:
                    numTrustedProxies: -1
                    forwardClientCertDetails: SANITIZE_SET
                    proxyProtocol: {}
                """);
        assertThat(result.meshConfig()).isNull();
        assertThat(result.diagnostics().stream().map(Diagnostic::format).toList()).containsExactly(
                "ERROR [MG0824] MeshConfig defaultConfig.gatewayTopology.numTrustedProxies: numTrustedProxies -1 "
                        + "(expected 0 or more) (mesh.yaml)",
                "WARNING [MG0001] MeshConfig defaultConfig.gatewayTopology.forwardClientCertDetails: unsupported: "
                        + "defaultConfig.gatewayTopology.forwardClientCertDetails is not implemented yet; ignored "
                        + "(mesh.yaml)",
                "WARNING [MG0001] MeshConfig defaultConfig.gatewayTopology.proxyProtocol: unsupported: "
                        + "defaultConfig.gatewayTopology.proxyProtocol is not implemented yet; ignored (mesh.yaml)");
    }
}
