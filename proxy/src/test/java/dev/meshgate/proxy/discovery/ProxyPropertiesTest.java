package dev.meshgate.proxy.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import dev.meshgate.core.view.ProxyKind;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.diagnostics.FailureAnalysis;

class ProxyPropertiesTest {

    @Test
    void defaultsFollowTheProtocol() {
        ProxyProperties properties = bind(Map.of("meshgate.proxy.name", "web-1"));

        assertThat(properties.namespace()).isEqualTo("default");
        assertThat(properties.serviceAccount()).isEqualTo("default");
        assertThat(properties.adminPort()).isEqualTo(15000);
        assertThat(properties.discoveryUri()).hasToString("ws://127.0.0.1:15010/v1/discovery");
        assertThat(properties.reconnect().initialBackoff()).hasMillis(100);
        assertThat(properties.reconnect().maxBackoff()).hasSeconds(5);
        assertThat(properties.keepalive()).hasSeconds(15);
    }

    @Test
    void configuredLabelsWinOverTheKindsDefaults() {
        ProxyProperties labelled = bind(Map.of("meshgate.proxy.name", "gw", "meshgate.proxy.labels.app", "edge"));
        ProxyProperties plain = bind(Map.of("meshgate.proxy.name", "gw"));

        assertThat(labelled.identity(ProxyKind.GATEWAY, Map.of("istio", "ingressgateway")).labels())
                .isEqualTo(Map.of("app", "edge"));
        assertThat(plain.identity(ProxyKind.GATEWAY, Map.of("istio", "ingressgateway")).labels())
                .isEqualTo(Map.of("istio", "ingressgateway"));
    }

    @Test
    void localityReachesTheIdentityTheHelloCarries() {
        ProxyProperties placed = bind(Map.of("meshgate.proxy.name", "web-1",
                "meshgate.proxy.locality", "us-east/zone-a/rack-1"));
        ProxyProperties unplaced = bind(Map.of("meshgate.proxy.name", "web-1"));

        assertThat(placed.identity(ProxyKind.SIDECAR, Map.of()).locality()).isEqualTo("us-east/zone-a/rack-1");
        assertThat(unplaced.identity(ProxyKind.SIDECAR, Map.of()).locality()).isNull();
    }

    @Test
    void missingNameFailsNamingThePropertyInOneLine() {
        Throwable failure = catchBind(Map.of("meshgate.proxy.namespace", "shop"));

        FailureAnalysis analysis = new ProxyPropertiesFailureAnalyzer().analyze(failure);
        assertThat(analysis.getDescription()).isEqualTo("meshgate.proxy.name is required: the proxy's unique name in "
                + "the mesh, e.g. --meshgate.proxy.name=web-v1-1");
        assertThat(analysis.getDescription()).doesNotContain("\n");
    }

    private static ProxyProperties bind(Map<String, String> properties) {
        return new Binder(new MapConfigurationPropertySource(properties))
                .bindOrCreate("meshgate.proxy", ProxyProperties.class);
    }

    private static Throwable catchBind(Map<String, String> properties) {
        Throwable[] failure = new Throwable[1];
        assertThatThrownBy(() -> bind(properties)).satisfies(e -> failure[0] = e);
        return failure[0];
    }
}
