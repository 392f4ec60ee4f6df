package dev.meshgate.core.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import dev.meshgate.core.networking.destinationrule.ClientTlsSettings.TlsMode;
import dev.meshgate.core.translate.cluster.TrafficPolicyTranslator;
import dev.meshgate.core.networking.destinationrule.DestinationRule;
import dev.meshgate.core.view.ClientTlsSpec;
import dev.meshgate.core.yaml.ResourceReader;

import org.junit.jupiter.api.Test;

class ClientTlsValidatorTest {

    private static List<String> diagnostics(String tls) {
        ResourceReader.ReadResult read = ResourceReader.read("t.yaml", """
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: web, namespace: shop}
                spec:
                  host: web
                  trafficPolicy:
                    tls: %s
                """.formatted(tls));
        return MeshValidator.validate(read.resources(), read.diagnostics()).diagnostics().stream()
                .map(Diagnostic::format).map(d -> d.substring(0, d.indexOf(" (t.yaml"))).toList();
    }

    @Test
    void istioMutualAndDisableAreSupported() {
        assertThat(diagnostics("{mode: ISTIO_MUTUAL, sni: web.shop, subjectAltNames: [spiffe://cluster.local/ns/shop/sa/web]}"))
                .isEmpty();
        assertThat(diagnostics("{mode: DISABLE}")).isEmpty();
    }

    @Test
    void istioMutualWithCertificatesIsRejected() {
        assertThat(diagnostics("{mode: ISTIO_MUTUAL, clientCertificate: /etc/c.pem, privateKey: /etc/k.pem}"))
                .containsExactly("ERROR [MG0832] DestinationRule shop/web spec.trafficPolicy.tls: ISTIO_MUTUAL uses "
                        + "the mesh's workload certificates (expected no clientCertificate, privateKey, "
                        + "caCertificates, caCrl or credentialName; use MUTUAL to present other certificates)");
    }

    @Test
    void simpleAndMutualOriginationAreSupported() {
        assertThat(diagnostics("{mode: SIMPLE, caCertificates: /etc/ca.pem, sni: web.example.com}")).isEmpty();
        assertThat(diagnostics("{mode: SIMPLE}")).isEmpty();
        assertThat(diagnostics("{mode: MUTUAL, clientCertificate: /c, privateKey: /k}")).isEmpty();
        assertThat(diagnostics("{mode: MUTUAL, credentialName: web-client}")).isEmpty();
        assertThat(diagnostics("{mode: SIMPLE, insecureSkipVerify: true}")).isEmpty();
    }

    @Test
    void mutualWithoutClientCertificateOrKeyIsRejected() {
        assertThat(diagnostics("{mode: MUTUAL, clientCertificate: /etc/c.pem}")).containsExactly(
                "ERROR [MG0851] DestinationRule shop/web spec.trafficPolicy.tls.privateKey: MUTUAL needs the client "
                        + "certificate's private key (expected clientCertificate and privateKey, or credentialName)");
        assertThat(diagnostics("{mode: MUTUAL}")).hasSize(2).allMatch(d -> d.startsWith("ERROR [MG0851]"));
    }

    @Test
    void credentialNameWithFilesIsRejected() {
        assertThat(diagnostics("{mode: SIMPLE, credentialName: web-client, caCertificates: /etc/ca.pem}"))
                .containsExactly("ERROR [MG0850] DestinationRule shop/web spec.trafficPolicy.tls: credentialName "
                        + "\"web-client\" is set together with caCertificates \"/etc/ca.pem\" (expected either "
                        + "credentialName or the certificate files, not both)");
    }

    @Test
    void insecureSkipVerifyWithCaCertificatesWarns() {
        assertThat(diagnostics("{mode: SIMPLE, caCertificates: /etc/ca.pem, insecureSkipVerify: true}"))
                .containsExactly("WARNING [MG0852] DestinationRule shop/web spec.trafficPolicy.tls.caCertificates: "
                        + "\"/etc/ca.pem\" is not used: insecureSkipVerify is true (expected one of caCertificates "
                        + "and insecureSkipVerify)");
    }

    @Test
    void insecureSkipVerifyStaysUnsupportedWhereIstioIgnoresIt() {
        assertThat(diagnostics("{mode: ISTIO_MUTUAL, insecureSkipVerify: true}")).containsExactly(
                "WARNING [MG0001] DestinationRule shop/web spec.trafficPolicy.tls.insecureSkipVerify: unsupported: "
                        + "spec.trafficPolicy.tls.insecureSkipVerify is not implemented yet; ignored");
    }

    @Test
    void caCrlIsCheckedBySimpleAndMutualAndRefusedWithIstioMutual() {
        assertThat(diagnostics("{mode: SIMPLE, caCrl: /etc/crl.pem}")).isEmpty();
        assertThat(diagnostics("{mode: MUTUAL, clientCertificate: /c.pem, privateKey: /k.pem, caCrl: /etc/crl.pem}"))
                .isEmpty();
        assertThat(diagnostics("{mode: ISTIO_MUTUAL, caCrl: /etc/crl.pem}")).singleElement().asString()
                .startsWith("ERROR [MG0832] DestinationRule shop/web spec.trafficPolicy.tls: ISTIO_MUTUAL uses the "
                        + "mesh's workload certificates (expected no clientCertificate, privateKey, caCertificates, "
                        + "caCrl or credentialName");
        assertThat(diagnostics("{mode: DISABLE, caCrl: /etc/crl.pem}")).singleElement().asString()
                .startsWith("WARNING [MG0852] DestinationRule shop/web spec.trafficPolicy.tls.caCrl: \"/etc/crl.pem\" has "
                        + "no effect: mode DISABLE sends plain text (expected SIMPLE or MUTUAL to use it)");
        assertThat(diagnostics("{mode: SIMPLE, credentialName: c, caCrl: /etc/crl.pem}")).singleElement()
                .asString().startsWith("ERROR [MG0850]");
    }

    @Test
    void tlsReachesTheClusterPolicyWithSubsetAndPortOverrides() {
        ResourceReader.ReadResult read = ResourceReader.read("t.yaml", """
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: web, namespace: shop}
                spec:
                  host: web
                  trafficPolicy:
                    tls: {mode: ISTIO_MUTUAL, sni: web.shop}
                    portLevelSettings:
                    - port: {number: 9090}
                      tls: {mode: DISABLE}
                  subsets:
                  - name: plain
                    labels: {version: v0}
                    trafficPolicy: {tls: {mode: DISABLE}}
                  - name: v1
                    labels: {version: v1}
                """);
        DestinationRule rule = (DestinationRule) read.resources().get(0).spec();
        ClientTlsSpec whole = TrafficPolicyTranslator.translate(rule, 80, null).tls();
        assertThat(whole.mode()).isEqualTo(TlsMode.ISTIO_MUTUAL);
        assertThat(whole.sni()).isEqualTo("web.shop");
        assertThat(TrafficPolicyTranslator.translate(rule, 9090, null).tls().mode()).isEqualTo(TlsMode.DISABLE);
        assertThat(TrafficPolicyTranslator.translate(rule, 80, "plain").tls().mode()).isEqualTo(TlsMode.DISABLE);
        assertThat(TrafficPolicyTranslator.translate(rule, 80, "v1").tls().mode()).isEqualTo(TlsMode.ISTIO_MUTUAL);
        assertThat(TrafficPolicyTranslator.translate(null, 80, null).tls()).isNull();
    }

    @Test
    void originationFieldsReachTheClusterPolicyAndTheOnesTheModeIgnoresDoNot() {
        ResourceReader.ReadResult read = ResourceReader.read("t.yaml", """
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: web, namespace: shop}
                spec:
                  host: web.example.com
                  trafficPolicy:
                    tls: {mode: SIMPLE, caCertificates: /ca.pem, clientCertificate: /c.pem, privateKey: /k.pem}
                    portLevelSettings:
                    - port: {number: 8443}
                      tls: {mode: MUTUAL, clientCertificate: /c.pem, privateKey: /k.pem, insecureSkipVerify: true}
                    - port: {number: 9443}
                      tls: {mode: MUTUAL, credentialName: web-client}
                """);
        DestinationRule rule = (DestinationRule) read.resources().get(0).spec();
        assertThat(TrafficPolicyTranslator.translate(rule, 443, null).tls()).isEqualTo(
                new ClientTlsSpec(TlsMode.SIMPLE, List.of(), null, "/ca.pem", null, null, null, false));
        assertThat(TrafficPolicyTranslator.translate(rule, 8443, null).tls()).isEqualTo(
                new ClientTlsSpec(TlsMode.MUTUAL, List.of(), null, null, "/c.pem", "/k.pem", null, true));
        assertThat(TrafficPolicyTranslator.translate(rule, 9443, null).tls()).isEqualTo(
                new ClientTlsSpec(TlsMode.MUTUAL, List.of(), null, null, null, null, "web-client", false));
    }
}
