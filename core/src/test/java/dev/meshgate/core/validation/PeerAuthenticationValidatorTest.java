package dev.meshgate.core.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import dev.meshgate.core.resource.Kind;
import dev.meshgate.core.security.PeerAuthentication;
import dev.meshgate.core.yaml.ResourceReader;

import org.junit.jupiter.api.Test;

class PeerAuthenticationValidatorTest {

    private static List<String> diagnostics(String yaml) {
        ResourceReader.ReadResult read = ResourceReader.read("t.yaml", yaml);
        return MeshValidator.validate(read.resources(), read.diagnostics()).diagnostics().stream()
                .map(Diagnostic::format).toList();
    }

    @Test
    void aWorkloadPolicyWithPortLevelModesIsReadTypedAndValid() {
        ResourceReader.ReadResult read = ResourceReader.read("t.yaml", """
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata: {name: web, namespace: shop}
                spec:
                  selector: {matchLabels: {app: web}}
                  mtls: {mode: STRICT}
                  portLevelMtls:
                    8080: {mode: DISABLE}
                    "9090": {}
                """);
        assertThat(read.diagnostics()).isEmpty();
        MeshValidator.ValidationResult result = MeshValidator.validate(read.resources());
        assertThat(result.diagnostics()).isEmpty();
        assertThat(result.accepted().get(0).kind()).isEqualTo(Kind.PeerAuthentication);
        PeerAuthentication spec = (PeerAuthentication) result.accepted().get(0).spec();
        assertThat(spec.mtls().mode()).isEqualTo(PeerAuthentication.Mode.STRICT);
        assertThat(spec.portLevelMtls().get("8080").mode()).isEqualTo(PeerAuthentication.Mode.DISABLE);
        assertThat(spec.portLevelMtls().get("9090").modeOrUnset()).isEqualTo(PeerAuthentication.Mode.UNSET);
    }

    @Test
    void portLevelMtlsWithoutSelectorIsRejected() {
        assertThat(diagnostics("""
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata: {name: ns-wide, namespace: shop}
                spec:
                  mtls: {mode: STRICT}
                  portLevelMtls: {8080: {mode: DISABLE}}
                """)).containsExactly("ERROR [MG0830] PeerAuthentication shop/ns-wide spec.portLevelMtls: "
                + "portLevelMtls [8080] on a mesh- or namespace-wide policy (expected a selector with matchLabels: "
                + "port-level modes apply to selected workloads) (t.yaml:1)");
    }

    @Test
    void portLevelKeysMustBePorts() {
        assertThat(diagnostics("""
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata: {name: web, namespace: shop}
                spec:
                  selector: {matchLabels: {app: web}}
                  portLevelMtls: {0: {mode: DISABLE}, http: {mode: STRICT}, 70000: {mode: STRICT}}
                """)).extracting(d -> d.substring(0, d.indexOf(" (t.yaml"))).containsExactlyInAnyOrder(
                "ERROR [MG0831] PeerAuthentication shop/web spec.portLevelMtls[0]: invalid port \"0\" "
                        + "(expected a port number 1-65535)",
                "ERROR [MG0831] PeerAuthentication shop/web spec.portLevelMtls[http]: invalid port \"http\" "
                        + "(expected a port number 1-65535)",
                "ERROR [MG0831] PeerAuthentication shop/web spec.portLevelMtls[70000]: invalid port \"70000\" "
                        + "(expected a port number 1-65535)");
    }

    @Test
    void anUnknownModeAndAnUnknownFieldAreReported() {
        List<String> found = diagnostics("""
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata: {name: web, namespace: shop}
                spec:
                  mtls: {mode: MUTUAL}
                  targetRefs: [{kind: Service, name: web}]
                """);
        assertThat(found).anyMatch(d -> d.contains("[MG0007]") && d.contains("spec.mtls.mode"));
        assertThat(found).anyMatch(d -> d.contains("[MG0006]") && d.contains("targetRefs"));
    }

    @Test
    void peerAuthenticationIsNoLongerAnUnsupportedKind() {
        assertThat(diagnostics("""
                apiVersion: security.istio.io/v1beta1
                kind: PeerAuthentication
                metadata: {name: default, namespace: istio-system}
                spec: {mtls: {mode: STRICT}}
                """)).isEmpty();
    }
}
