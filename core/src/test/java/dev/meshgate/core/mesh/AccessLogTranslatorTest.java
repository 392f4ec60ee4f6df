package dev.meshgate.core.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

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
    void theFormatParsesLiteralsOperatorsAlternativesAndLengths() {
        var parts = AccessLogFormat.parse("[%START_TIME%] %REQ(X-ENVOY-ORIGINAL-PATH?:PATH):5% 100%% %RESP(Server)%");
        assertThat(parts).extracting(AccessLogFormat.Part::literal)
                .containsExactly("[", null, "] ", null, " 100% ", null);
        assertThat(parts.get(3).header()).isEqualTo("x-envoy-original-path");
        assertThat(parts.get(3).altHeader()).isEqualTo(":path");
        assertThat(parts.get(3).maxLength()).isEqualTo(5);
        assertThat(parts.get(5).command()).isEqualTo(AccessLogFormat.Command.RESP);
        assertThat(AccessLogFormat.parse(AccessLogFormat.ISTIO_TEXT)).isNotEmpty();
        AccessLogFormat.ISTIO_JSON.values().forEach(AccessLogFormat::parse);
    }
}
