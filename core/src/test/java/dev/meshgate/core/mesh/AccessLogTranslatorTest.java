package dev.meshgate.core.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import dev.meshgate.core.networking.SubstitutionFormat;
import dev.meshgate.core.networking.SubstitutionFormat.Command;
import dev.meshgate.core.networking.SubstitutionFormat.Literal;
import dev.meshgate.core.networking.SubstitutionFormat.Operator;
import dev.meshgate.core.validation.MeshConfigValidator;
import dev.meshgate.core.view.AccessLogSpec;

class AccessLogTranslatorTest {

    private static AccessLogSpec translate(String yaml) {
        return AccessLogTranslator.translate(MeshConfigValidator.read("mesh.yaml", yaml).meshConfig());
    }

    @Test
    void noAccessLogFieldsMeansNoSpec() {
        assertThat(AccessLogTranslator.translate(MeshConfig.DEFAULT)).isNull();
        assertThat(translate("accessLogFile: ''\n")).isNull();
    }

    @Test
    void fileEncodingAndFormatAreCarried() {
        assertThat(translate("accessLogFile: /dev/stdout\n"))
                .isEqualTo(new AccessLogSpec("/dev/stdout", MeshConfig.AccessLogEncoding.TEXT, null));
        assertThat(translate("accessLogFile: /tmp/a.log\naccessLogEncoding: JSON\naccessLogFormat: '{\"c\": \"%RESPONSE_CODE%\"}'\n"))
                .isEqualTo(new AccessLogSpec("/tmp/a.log", MeshConfig.AccessLogEncoding.JSON, "{\"c\": \"%RESPONSE_CODE%\"}"));
    }

    @Test
    void envoyFileAccessLogProvidersAndTheDefaultProvidersAreCarried() {
        AccessLogSpec spec = translate("""
                extensionProviders:
                - name: text
                  envoyFileAccessLog:
                    path: /var/log/text.log
                    logFormat: {text: "%RESPONSE_CODE% %REQ(:PATH)%\\n"}
                - name: json
                  envoyFileAccessLog:
                    logFormat:
                      labels: {code: "%RESPONSE_CODE%", authority: "%REQ(:AUTHORITY)%"}
                - name: plain
                  envoyFileAccessLog: {path: /var/log/plain.log}
                defaultProviders:
                  accessLogging: [json, envoy]
                """);
        assertThat(spec.file()).isEmpty();
        assertThat(spec.defaultProviders()).containsExactly("json", "envoy");
        assertThat(spec.providers()).containsExactly(
                java.util.Map.entry("text", new EnvoyFileAccessLog("/var/log/text.log", MeshConfig.AccessLogEncoding.TEXT,
                        "%RESPONSE_CODE% %REQ(:PATH)%\n")),
                java.util.Map.entry("json", new EnvoyFileAccessLog("/dev/stdout", MeshConfig.AccessLogEncoding.JSON,
                        "{\"code\":\"%RESPONSE_CODE%\",\"authority\":\"%REQ(:AUTHORITY)%\"}")),
                java.util.Map.entry("plain", new EnvoyFileAccessLog("/var/log/plain.log",
                        MeshConfig.AccessLogEncoding.TEXT, null)));
    }

    @Test
    void aProviderWithABadFormatOrUnsupportedFieldsIsReportedNamingTheField() {
        var lines = MeshConfigValidator.read("mesh.yaml", """
                extensionProviders:
                - name: bad
                  envoyFileAccessLog:
                    path: /tmp/a.log
                    logFormat:
                      labels: {code: "%NOPE%"}
                      omitEmptyValues: true
                      colour: red
                """).diagnostics().stream().map(dev.meshgate.core.validation.Diagnostic::format).toList();
        assertThat(lines).anyMatch(l -> l.startsWith("ERROR [MG0607] MeshConfig "
                + "extensionProviders[0].envoyFileAccessLog.logFormat.labels.code: ") && l.contains("%NOPE%"));
        assertThat(lines).anyMatch(l -> l.startsWith("WARNING [MG0001] MeshConfig "
                + "extensionProviders[0].envoyFileAccessLog.logFormat.omitEmptyValues"));
        assertThat(lines).anyMatch(l -> l.contains("extensionProviders[0].envoyFileAccessLog.logFormat.colour"));
        assertThat(lines).noneMatch(l -> l.contains("not enforced yet"));
    }

    @Test
    void theViewCarriesItAndKeepsItsVersionWithoutIt() {
        var proxy = new dev.meshgate.core.view.ProxyIdentity("client-1", "default",
                dev.meshgate.core.view.ProxyKind.SIDECAR, java.util.Map.of("app", "client"), null);
        var plain = dev.meshgate.core.translate.ProxyViewTranslator.translate(
                dev.meshgate.core.index.MeshIndex.of(java.util.List.of(), dev.meshgate.core.index.MeshSettings.DEFAULT),
                proxy);
        var settings = dev.meshgate.core.index.MeshSettings.DEFAULT.with(
                MeshConfigValidator.read("mesh.yaml", "accessLogFile: /dev/stdout\n").meshConfig());
        var logged = dev.meshgate.core.translate.ProxyViewTranslator.translate(
                dev.meshgate.core.index.MeshIndex.of(java.util.List.of(), settings), proxy);
        var unchanged = dev.meshgate.core.translate.ProxyViewTranslator.translate(
                dev.meshgate.core.index.MeshIndex.of(java.util.List.of(),
                        dev.meshgate.core.index.MeshSettings.DEFAULT.with(MeshConfig.DEFAULT)), proxy);

        assertThat(plain.accessLog()).isNull();
        assertThat(logged.accessLog()).isEqualTo(new AccessLogSpec("/dev/stdout", MeshConfig.AccessLogEncoding.TEXT, null));
        assertThat(logged.version()).isNotEqualTo(plain.version());
        assertThat(unchanged.version()).isEqualTo(plain.version());
    }

    @Test
    void theFormatParsesLiteralsOperatorsAlternativesAndLengths() {
        var parts = AccessLogFormat.parse("[%START_TIME%] %REQ(X-ENVOY-ORIGINAL-PATH?:PATH):5% 100%% %RESP(Server)%");
        assertThat(parts).containsExactly(new Literal("["), new Command(Operator.START_TIME, null, null, 0),
                new Literal("] "), new Command(Operator.REQ, "x-envoy-original-path", ":path", 5),
                new Literal(" 100% "), new Command(Operator.RESP, "server", null, 0));
        assertThat(AccessLogFormat.parse(AccessLogFormat.ISTIO_TEXT)).isNotEmpty();
        AccessLogFormat.ISTIO_JSON.values().forEach(AccessLogFormat::parse);
    }

    @Test
    void accessLogsAdmitTheStreamCommandsThatHeaderValuesDoNot() {
        assertThat(AccessLogFormat.parse("%UPSTREAM_CLUSTER% %START_TIME(%s)%")).hasSize(3);
        assertThatThrownBy(() -> SubstitutionFormat.parse("%UPSTREAM_CLUSTER%", SubstitutionFormat.HEADER_OPERATORS))
                .hasMessageContaining("unknown command %UPSTREAM_CLUSTER%");
        assertThatThrownBy(() -> AccessLogFormat.parse("%NOPE%")).hasMessageContaining("unknown command %NOPE%");
    }
}
