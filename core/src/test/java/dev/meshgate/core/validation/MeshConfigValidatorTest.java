package dev.meshgate.core.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import dev.meshgate.core.index.MeshSettings;
import dev.meshgate.core.mesh.MeshConfig;
import dev.meshgate.core.mesh.MeshConfig.ProxyPathNormalization.NormalizationType;
import dev.meshgate.core.view.ProxyView.OutboundTrafficPolicy;

import org.junit.jupiter.api.Test;

class MeshConfigValidatorTest {

    private static final String FULL = """
            outboundTrafficPolicy:
              mode: REGISTRY_ONLY
            pathNormalization:
              normalization: MERGE_SLASHES
            defaultHttpRetryPolicy:
              attempts: 3
              retryOn: 5xx,503
            rootNamespace: mesh-root
            trustDomain: example.org
            enableAutoMtls: false
            accessLogFile: /dev/stdout
            accessLogEncoding: JSON
            accessLogFormat: '{"path": "%REQ(:PATH)%"}'
            enableTracing: true
            defaultConfig:
              discoveryAddress: istiod.istio-system.svc:15012
              tracing:
                sampling: 10.5
                zipkin:
                  address: zipkin.istio-system:9411
            extensionProviders:
            - name: zipkin
              zipkin:
                service: zipkin.istio-system.svc.cluster.local
                port: 9411
            - name: log
              envoyFileAccessLog:
                path: /dev/stdout
            defaultProviders:
              tracing: [zipkin]
              accessLogging: [log, envoy]
            trustDomainAliases: [old.example.org]
            """;

    private static List<String> formatted(List<Diagnostic> diagnostics) {
        return diagnostics.stream().map(Diagnostic::format).toList();
    }

    @Test
    void readsEveryFieldWithIstioNames() {
        MeshConfigValidator.Result result = MeshConfigValidator.read("mesh.yaml", FULL);
        MeshConfig mesh = result.meshConfig();
        assertThat(result.hasErrors()).as("%s", formatted(result.diagnostics())).isFalse();
        assertThat(mesh).isNotNull();
        assertThat(mesh.outboundTrafficPolicyMode()).isEqualTo(MeshConfig.OutboundTrafficPolicy.Mode.REGISTRY_ONLY);
        assertThat(mesh.pathNormalizationOrDefault()).isEqualTo(NormalizationType.MERGE_SLASHES);
        assertThat(mesh.defaultHttpRetryPolicy().attempts()).isEqualTo(3);
        assertThat(mesh.rootNamespace()).isEqualTo("mesh-root");
        assertThat(mesh.trustDomain()).isEqualTo("example.org");
        assertThat(mesh.trustDomainAliases()).containsExactly("old.example.org");
        assertThat(mesh.enableAutoMtls()).isFalse();
        assertThat(mesh.accessLogEncoding()).isEqualTo(MeshConfig.AccessLogEncoding.JSON);
        assertThat(mesh.defaultConfig().tracing().sampling()).isEqualTo(10.5);
        assertThat(mesh.defaultConfig().tracing().zipkin().address()).isEqualTo("zipkin.istio-system:9411");
        assertThat(mesh.extensionProviders()).extracting(MeshConfig.ExtensionProvider::name).containsExactly("zipkin", "log");
        assertThat(mesh.extensionProviders().get(0).zipkin().port()).isEqualTo(9411);
        assertThat(mesh.defaultProviders().accessLogging()).containsExactly("log", "envoy");
    }

    @Test
    void fieldsNotEnforcedYetAreReportedUnsupportedSayingTheyComeLater() {
        List<String> lines = formatted(MeshConfigValidator.read("mesh.yaml", FULL).diagnostics());
        assertThat(lines).allMatch(line -> line.startsWith("WARNING [MG0001] MeshConfig "));
        // the access log is enforced: not reported
        assertThat(lines).noneMatch(line -> line.contains("accessLogFile") || line.contains("accessLogFormat")
                || line.contains("accessLogEncoding"));
        // trustDomain names the identities the control plane's CA issues: enforced, so not reported.
        assertThat(lines).noneMatch(line -> line.contains("trustDomain"));
        // enableAutoMtls: false is enforced (clusters without DestinationRule tls go plaintext): not reported.
        assertThat(lines).noneMatch(line -> line.contains("enableAutoMtls"));
        // access-log providers are enforced: not reported
        assertThat(lines).noneMatch(line -> line.contains("accessLogging") || line.contains("envoyFileAccessLog"));
        // an Istio field meshgate does not model: unsupported (not "unknown"), with its line
        assertThat(lines).anyMatch(line -> line.contains("defaultConfig.discoveryAddress: unsupported")
                && line.endsWith("(mesh.yaml:16)"));
        // the fields meshgate enforces are not reported
        assertThat(lines).noneMatch(line -> line.contains("outboundTrafficPolicy") || line.contains("pathNormalization")
                || line.contains("rootNamespace") || line.contains("tracing") || line.contains("zipkin"));
    }

    @Test
    void aConfigMapWithDataMeshReadsTheSameMeshConfig() {
        String configMap = """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: istio
                  namespace: istio-system
                data:
                  meshNetworks: 'networks: {}'
                  mesh: |-
                """ + FULL.indent(4);
        MeshConfigValidator.Result plain = MeshConfigValidator.read("mesh.yaml", FULL);
        MeshConfigValidator.Result fromMap = MeshConfigValidator.read("istio.yaml", configMap);
        assertThat(fromMap.meshConfig()).isEqualTo(plain.meshConfig());
        // lines point into the ConfigMap file: discoveryAddress is on line 8 + 16
        assertThat(formatted(fromMap.diagnostics()))
                .anyMatch(line -> line.contains("defaultConfig.discoveryAddress") && line.endsWith("(istio.yaml:24)"));
    }

    @Test
    void aBadValueIsAnErrorNamingMeshConfigFileFieldValueAndExpected() {
        MeshConfigValidator.Result result = MeshConfigValidator.read("mesh.yaml", """
                rootNamespace: istio-system
                outboundTrafficPolicy:
                  mode: BLOCK_ALL
                """);
        assertThat(result.meshConfig()).isNull();
        assertThat(formatted(result.diagnostics())).singleElement().satisfies(line -> assertThat(line)
                .startsWith("ERROR [MG0007] MeshConfig outboundTrafficPolicy.mode: ")
                .contains("\"BLOCK_ALL\"", "REGISTRY_ONLY, ALLOW_ANY").endsWith("(mesh.yaml:3)"));
    }

    @Test
    void unknownFieldsWarnAndTheRestStillApplies() {
        MeshConfigValidator.Result result = MeshConfigValidator.read("mesh.yaml", """
                outboundTrafficPolicy:
                  mode: REGISTRY_ONLY
                  egresProxy: x
                rootNamespce: foo
                """);
        assertThat(result.meshConfig()).isNotNull();
        assertThat(formatted(result.diagnostics())).containsExactly(
                "WARNING [MG0006] MeshConfig outboundTrafficPolicy.egresProxy: unknown field (mesh.yaml:3)",
                "WARNING [MG0006] MeshConfig rootNamespce: unknown field (mesh.yaml:4)");
    }

    @Test
    void validationErrorsRejectTheMeshConfig() {
        MeshConfigValidator.Result result = MeshConfigValidator.read("mesh.yaml", """
                rootNamespace: Istio_System
                trustDomain: "bad domain"
                trustDomainAliases: [old-td.example.com, "*.example.com"]
                defaultHttpRetryPolicy:
                  attempts: 2
                  retryOn: 5xx,teapot
                accessLogEncoding: JSON
                accessLogFormat: 'not json'
                defaultConfig:
                  tracing:
                    sampling: 150
                    zipkin:
                      address: zipkin
                extensionProviders:
                - name: a
                  zipkin: {service: zipkin, port: 0}
                - name: a
                - name: b
                  prometheus: {}
                  envoyFileAccessLog: {}
                defaultProviders:
                  tracing: [nope]
                """);
        assertThat(result.meshConfig()).isNull();
        List<String> lines = formatted(result.diagnostics());
        assertThat(lines).anyMatch(l -> l.startsWith("ERROR [MG0603] MeshConfig rootNamespace: \"Istio_System\""));
        assertThat(lines).anyMatch(l -> l.startsWith("ERROR [MG0602] MeshConfig trustDomain: \"bad domain\""));
        assertThat(lines).anyMatch(l -> l.startsWith("ERROR [MG0602] MeshConfig trustDomainAliases[1]: "
                + "\"*.example.com\" is not a trust domain: a wildcard"));
        assertThat(lines).noneMatch(l -> l.contains("trustDomainAliases[0]"));
        assertThat(lines).anyMatch(l -> l.startsWith("ERROR [MG0115] MeshConfig defaultHttpRetryPolicy.retryOn: ")
                && l.contains("\"teapot\""));
        assertThat(lines).anyMatch(l -> l.startsWith("ERROR [MG0607] MeshConfig accessLogFormat: not valid JSON"));
        assertThat(lines).anyMatch(l -> l.startsWith("ERROR [MG0604] MeshConfig defaultConfig.tracing.sampling: ")
                && l.contains("150"));
        assertThat(lines).anyMatch(l -> l.startsWith("ERROR [MG0604] MeshConfig defaultConfig.tracing.zipkin.address:")
                && l.contains("no port"));
        assertThat(lines).anyMatch(l -> l.startsWith("ERROR [MG0605] MeshConfig extensionProviders[0].zipkin.port: ")
                && l.contains("1-65535"));
        assertThat(lines).anyMatch(l -> l.startsWith("ERROR [MG0605] MeshConfig extensionProviders[1].name: ")
                && l.contains("\"a\""));
        assertThat(lines).anyMatch(l -> l.startsWith("ERROR [MG0605] MeshConfig extensionProviders[1]: no provider"));
        assertThat(lines).anyMatch(l -> l.startsWith("ERROR [MG0605] MeshConfig extensionProviders[2]: several"));
        assertThat(lines).anyMatch(l -> l.startsWith("WARNING [MG0606] MeshConfig defaultProviders.tracing[0]: ")
                && l.contains("\"nope\""));
        assertThat(lines).allMatch(l -> l.endsWith("(mesh.yaml)") || l.contains("(mesh.yaml:"));
    }

    @Test
    void brokenYamlIsReportedNeverThrown() {
        MeshConfigValidator.Result result = MeshConfigValidator.read("mesh.yaml", "outboundTrafficPolicy: [\n  mode: x");
        assertThat(result.meshConfig()).isNull();
        assertThat(formatted(result.diagnostics())).singleElement()
                .satisfies(l -> assertThat(l).startsWith("ERROR [MG0002] MeshConfig: invalid YAML"));
        assertThat(MeshConfigValidator.read("m.yaml", "- a\n- b").diagnostics()).extracting(Diagnostic::code)
                .containsExactly("MG0601");
        assertThat(MeshConfigValidator.read("m.yaml", "a: 1\n---\nb: 2\n").diagnostics()).extracting(Diagnostic::code)
                .containsExactly("MG0601");
        assertThat(MeshConfigValidator.read("m.yaml", "kind: ConfigMap\ndata:\n  other: x\n").diagnostics())
                .extracting(Diagnostic::format)
                .containsExactly("ERROR [MG0601] MeshConfig data.mesh: missing (expected a ConfigMap whose data.mesh "
                        + "holds the MeshConfig YAML) (m.yaml:2)");
    }

    @Test
    void anEmptyFileIsIstiosDefaults() {
        MeshConfigValidator.Result result = MeshConfigValidator.read("mesh.yaml", "# nothing set\n");
        assertThat(result.meshConfig()).isEqualTo(MeshConfig.DEFAULT);
        assertThat(result.diagnostics()).isEmpty();
        assertThat(MeshConfig.DEFAULT.pathNormalizationOrDefault()).isEqualTo(NormalizationType.BASE);
    }

    @Test
    void meshConfigOverridesThePropertiesDefaults() {
        MeshSettings properties = new MeshSettings("svc.cluster.local", OutboundTrafficPolicy.REGISTRY_ONLY, "istio-system");
        assertThat(properties.with(MeshConfig.DEFAULT)).isEqualTo(properties);
        MeshSettings merged = properties.with(MeshConfigValidator.read("mesh.yaml", FULL).meshConfig());
        assertThat(merged.outboundTrafficPolicy()).isEqualTo(OutboundTrafficPolicy.REGISTRY_ONLY);
        assertThat(merged.rootNamespace()).isEqualTo("mesh-root");
        assertThat(merged.pathNormalization()).isEqualTo(NormalizationType.MERGE_SLASHES);
        assertThat(merged.defaultHttpRetryPolicy().attempts()).isEqualTo(3);
        MeshSettings allowAny = properties.with(MeshConfigValidator.read("mesh.yaml",
                "outboundTrafficPolicy: {mode: ALLOW_ANY}\npathNormalization: {normalization: DEFAULT}").meshConfig());
        assertThat(allowAny.outboundTrafficPolicy()).isEqualTo(OutboundTrafficPolicy.ALLOW_ANY);
        assertThat(allowAny.pathNormalization()).isEqualTo(NormalizationType.BASE);
    }

    @Test
    void anUnknownAccessLogOperatorIsAnErrorNamingTheField() {
        List<String> text = formatted(MeshConfigValidator.read("mesh.yaml", """
                accessLogFormat: '[%START_TIME%] %NOPE% %REQ(:PATH)%'
                """).diagnostics());
        assertThat(text).anyMatch(l -> l.startsWith("ERROR [MG0607] MeshConfig accessLogFormat: unknown command %NOPE%"));
        List<String> json = formatted(MeshConfigValidator.read("mesh.yaml", """
                accessLogEncoding: JSON
                accessLogFormat: '{"code": "%RESPONSE_CODE%", "who": "%DOWNSTREAM_PEER_URI_SAN%"}'
                """).diagnostics());
        assertThat(json).anyMatch(l -> l.startsWith(
                "ERROR [MG0607] MeshConfig accessLogFormat.who: unknown command %DOWNSTREAM_PEER_URI_SAN%"));
        assertThat(formatted(MeshConfigValidator.read("mesh.yaml", """
                accessLogFile: /dev/stdout
                accessLogFormat: '%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH):100% %RESPONSE_CODE%'
                """).diagnostics())).isEmpty();
    }
}
