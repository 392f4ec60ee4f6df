package dev.meshgate.core.translate.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import dev.meshgate.core.index.MeshIndex;
import dev.meshgate.core.index.MeshSettings;
import dev.meshgate.core.security.PeerAuthentication.Mode;
import dev.meshgate.core.translate.ProxyViewTranslator;
import dev.meshgate.core.validation.MeshValidator;
import dev.meshgate.core.view.AuthSpec;
import dev.meshgate.core.view.PeerAuthenticationSpec;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.ProxyKind;
import dev.meshgate.core.yaml.ResourceReader;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class PeerAuthenticationTranslatorTest {

    private static final ProxyIdentity WEB = new ProxyIdentity("web-1", "shop", ProxyKind.SIDECAR,
            Map.of("app", "web"), "web");
    private static final ProxyIdentity CART = new ProxyIdentity("cart-1", "shop", ProxyKind.SIDECAR,
            Map.of("app", "cart"), "cart");
    private static final ProxyIdentity OTHER_NS = new ProxyIdentity("web-1", "dev", ProxyKind.SIDECAR,
            Map.of("app", "web"), "web");

    private static MeshIndex index(String yaml) {
        ResourceReader.ReadResult read = ResourceReader.read("t.yaml", yaml);
        assertThat(read.diagnostics()).isEmpty();
        MeshValidator.ValidationResult validated = MeshValidator.validate(read.resources());
        assertThat(validated.diagnostics()).isEmpty();
        return MeshIndex.of(validated.accepted(), MeshSettings.DEFAULT);
    }

    private static @Nullable PeerAuthenticationSpec mtls(String yaml, ProxyIdentity proxy) {
        return PeerAuthenticationTranslator.translate(index(yaml), proxy);
    }

    private static final String MESH_STRICT = """
            apiVersion: security.istio.io/v1
            kind: PeerAuthentication
            metadata: {name: default, namespace: istio-system}
            spec: {mtls: {mode: STRICT}}
            """;

    @Test
    void withoutPolicyNothingIsInTheViewAndTheModeIsPermissive() {
        ProxyIdentity proxy = WEB;
        MeshIndex empty = MeshIndex.of(java.util.List.of(), MeshSettings.DEFAULT);
        assertThat(PeerAuthenticationTranslator.translate(empty, proxy)).isNull();
        AuthSpec auth = ProxyViewTranslator.translate(empty, proxy).auth();
        assertThat(auth.peerAuthentication()).isNull();
        assertThat(auth.peerAuthenticationOrDefault().modeFor(8080)).isEqualTo(Mode.PERMISSIVE);
    }

    @Test
    void aMeshWidePolicyAppliesToEveryNamespace() {
        assertThat(mtls(MESH_STRICT, WEB).mode()).isEqualTo(Mode.STRICT);
        assertThat(mtls(MESH_STRICT, OTHER_NS).mode()).isEqualTo(Mode.STRICT);
        assertThat(ProxyViewTranslator.translate(index(MESH_STRICT), WEB).auth().peerAuthentication().mode())
                .isEqualTo(Mode.STRICT);
    }

    @Test
    void namespaceOverridesMeshAndWorkloadOverridesNamespace() {
        String yaml = MESH_STRICT + """
                ---
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata: {name: default, namespace: shop}
                spec: {mtls: {mode: PERMISSIVE}}
                ---
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata: {name: web, namespace: shop}
                spec:
                  selector: {matchLabels: {app: web}}
                  mtls: {mode: DISABLE}
                """;
        assertThat(mtls(yaml, WEB).mode()).isEqualTo(Mode.DISABLE);
        assertThat(mtls(yaml, CART).mode()).isEqualTo(Mode.PERMISSIVE);
        assertThat(mtls(yaml, OTHER_NS).mode()).isEqualTo(Mode.STRICT);
    }

    @Test
    void unsetInheritsFromTheLevelAbove() {
        String yaml = MESH_STRICT + """
                ---
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata: {name: default, namespace: shop}
                spec: {mtls: {mode: UNSET}}
                ---
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata: {name: web, namespace: shop}
                spec:
                  selector: {matchLabels: {app: web}}
                """;
        assertThat(mtls(yaml, WEB).mode()).isEqualTo(Mode.STRICT);
    }

    @Test
    void portLevelModesComeFromTheWorkloadPolicyAndUnsetPortsInherit() {
        String yaml = """
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata: {name: default, namespace: shop}
                spec: {mtls: {mode: STRICT}}
                ---
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata: {name: web, namespace: shop}
                spec:
                  selector: {matchLabels: {app: web}}
                  portLevelMtls:
                    8080: {mode: DISABLE}
                    9090: {mode: UNSET}
                """;
        PeerAuthenticationSpec spec = mtls(yaml, WEB);
        assertThat(spec.mode()).isEqualTo(Mode.STRICT);
        assertThat(spec.modeFor(8080)).isEqualTo(Mode.DISABLE);
        assertThat(spec.modeFor(9090)).isEqualTo(Mode.STRICT);
        assertThat(spec.modeFor(7070)).isEqualTo(Mode.STRICT);
    }

    @Test
    void aSelectorInTheRootNamespaceSelectsNothingAsInIstio() {
        String yaml = """
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata: {name: web, namespace: istio-system}
                spec:
                  selector: {matchLabels: {app: web}}
                  mtls: {mode: STRICT}
                """;
        assertThat(mtls(yaml, WEB)).isNull();
    }

    @Test
    void theOldestPolicyOfALevelWins() {
        String yaml = """
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata: {name: a-newer, namespace: shop, creationTimestamp: "2026-01-02T00:00:00Z"}
                spec: {mtls: {mode: DISABLE}}
                ---
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata: {name: b-older, namespace: shop, creationTimestamp: "2026-01-01T00:00:00Z"}
                spec: {mtls: {mode: STRICT}}
                """;
        assertThat(mtls(yaml, WEB).mode()).isEqualTo(Mode.STRICT);
    }

    @Test
    void gatewaysGetNoPeerAuthentication() {
        ProxyIdentity gateway = new ProxyIdentity("gw", "istio-system", ProxyKind.GATEWAY, Map.of(), null);
        assertThat(mtls(MESH_STRICT, gateway)).isNull();
    }
}
