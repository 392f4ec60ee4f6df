package dev.meshgate.core.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.util.List;

import dev.meshgate.core.discovery.DiscoveryCodec;
import dev.meshgate.core.discovery.DiscoveryMessage;
import dev.meshgate.core.discovery.Push;
import dev.meshgate.core.index.MeshSettings;
import dev.meshgate.core.validation.MeshConfigValidator;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.view.TracerSpec;

class TracingTranslatorTest {

    private static TracerSpec translate(String yaml) {
        MeshConfigValidator.Result result = MeshConfigValidator.read("mesh.yaml", yaml);
        assertThat(result.hasErrors()).as("%s", result.diagnostics()).isFalse();
        return TracingTranslator.translate(result.meshConfig());
    }

    @Test
    void aMeshConfigSayingNothingOfTracingIsIstiosDefault() {
        assertThat(translate("rootNamespace: istio-system\n")).isNull();
        assertThat(MeshSettings.DEFAULT.with(MeshConfig.DEFAULT).tracing()).isNull();
        assertThat(TracerSpec.ISTIO_DEFAULT.samplingPercentage()).isEqualTo(1.0);
        assertThat(TracerSpec.ISTIO_DEFAULT.collectorHost()).isEqualTo("zipkin.istio-system");
        assertThat(TracerSpec.ISTIO_DEFAULT.collectorPort()).isEqualTo(9411);
    }

    @Test
    void theDefaultProviderNamesTheZipkinCollectorAndDefaultConfigGivesSamplingAndTags() {
        TracerSpec spec = translate("""
                trustDomain: example.org
                defaultConfig:
                  tracing:
                    sampling: 100
                    maxPathTagLength: 64
                    zipkin:
                      address: ignored.example:1234
                    customTags:
                      team:
                        literal:
                          value: payments
                      user:
                        header:
                          name: x-user
                          defaultValue: anonymous
                extensionProviders:
                - name: jaeger
                  zipkin:
                    service: 127.0.0.1
                    port: 9412
                    maxTagLength: 100
                defaultProviders:
                  tracing: [jaeger]
                """);

        assertThat(spec.enabled()).isTrue();
        assertThat(spec.provider()).isEqualTo("jaeger");
        assertThat(spec.collectorHost()).isEqualTo("127.0.0.1");
        assertThat(spec.collectorPort()).isEqualTo(9412);
        assertThat(spec.collectorPath()).isEqualTo("/api/v2/spans");
        assertThat(spec.samplingPercentage()).isEqualTo(100.0);
        assertThat(spec.maxTagLength()).isEqualTo(100);
        assertThat(spec.maxPathTagLength()).isEqualTo(64);
        assertThat(spec.meshId()).isEqualTo("example.org");
        assertThat(spec.customTags()).containsEntry("team", new TracerSpec.CustomTag("payments", null, null, null))
                .containsEntry("user", new TracerSpec.CustomTag(null, null, "x-user", "anonymous"));
    }

    @Test
    void withoutADefaultProviderTheLegacyZipkinAddressIsTheCollector() {
        TracerSpec spec = translate("""
                defaultConfig:
                  tracing:
                    zipkin:
                      address: collector.example:9999
                """);

        assertThat(spec.collectorHost()).isEqualTo("collector.example");
        assertThat(spec.collectorPort()).isEqualTo(9999);
        assertThat(spec.samplingPercentage()).isEqualTo(1.0);
    }

    @Test
    void aViewWithTracingCrossesTheDiscoveryProtocolUnchanged() {
        TracerSpec spec = translate("""
                defaultConfig:
                  tracing:
                    sampling: 50
                extensionProviders:
                - name: jaeger
                  zipkin:
                    service: jaeger.example
                    port: 9411
                defaultProviders:
                  tracing: [jaeger]
                """);
        ProxyView view = new ProxyView("v1", "s1", List.of(), List.of(), ProxyView.OutboundTrafficPolicy.ALLOW_ANY,
                null, null, spec);

        DiscoveryMessage decoded = DiscoveryCodec.decode(DiscoveryCodec.encode(new Push(view)));

        assertThat(((Push) decoded).view()).isEqualTo(view);
        assertThat(spec.provider("jaeger")).isEqualTo(new TracerSpec.Provider("jaeger", "jaeger.example", 9411,
                "/api/v2/spans", 256));
    }

    @Test
    void enableTracingFalseTurnsReportingOff() {
        assertThat(translate("enableTracing: false\n").enabled()).isFalse();
    }
}
