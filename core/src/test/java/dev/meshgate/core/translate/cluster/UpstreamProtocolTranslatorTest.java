package dev.meshgate.core.translate.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.meshgate.core.networking.destinationrule.ConnectionPoolSettings;
import dev.meshgate.core.networking.destinationrule.ConnectionPoolSettings.HttpSettings;
import dev.meshgate.core.networking.destinationrule.ConnectionPoolSettings.HttpSettings.H2UpgradePolicy;
import dev.meshgate.core.view.ClusterSpec.UpstreamProtocol;
import dev.meshgate.core.view.ConnectionPoolSpec;

class UpstreamProtocolTranslatorTest {

    private static ConnectionPoolSpec pool(H2UpgradePolicy upgrade, Boolean useClientProtocol) {
        return ConnectionPoolSettingsTranslator.translate(new ConnectionPoolSettings(null,
                new HttpSettings(null, null, null, null, null, upgrade, useClientProtocol, 7)));
    }

    @Test
    void grpcAndHttp2PortsAreSpokenToInHttp2() {
        assertThat(UpstreamProtocolTranslator.translate("GRPC", ConnectionPoolSpec.DEFAULT))
                .isEqualTo(UpstreamProtocol.HTTP2);
        assertThat(UpstreamProtocolTranslator.translate("HTTP2", ConnectionPoolSpec.DEFAULT))
                .isEqualTo(UpstreamProtocol.HTTP2);
        assertThat(UpstreamProtocolTranslator.translate("GRPC", pool(null, true))).isEqualTo(UpstreamProtocol.HTTP2);
    }

    @Test
    void httpPortsStayHttp1UnlessUpgradedOrUsingTheClientProtocol() {
        assertThat(UpstreamProtocolTranslator.translate("HTTP", ConnectionPoolSpec.DEFAULT))
                .isEqualTo(UpstreamProtocol.HTTP1);
        assertThat(UpstreamProtocolTranslator.translate("HTTP", pool(H2UpgradePolicy.UPGRADE, null)))
                .isEqualTo(UpstreamProtocol.HTTP2);
        assertThat(UpstreamProtocolTranslator.translate("HTTP", pool(H2UpgradePolicy.DO_NOT_UPGRADE, null)))
                .isEqualTo(UpstreamProtocol.HTTP1);
        // As in Istio, useClientProtocol makes h2UpgradePolicy ineffective.
        assertThat(UpstreamProtocolTranslator.translate("HTTP", pool(H2UpgradePolicy.UPGRADE, true)))
                .isEqualTo(UpstreamProtocol.USE_DOWNSTREAM);
    }

    @Test
    void anUndeclaredProtocolKeepsTheClientsVersionAsIstiosSniffedPorts() {
        assertThat(UpstreamProtocolTranslator.translate("", ConnectionPoolSpec.DEFAULT))
                .isEqualTo(UpstreamProtocol.USE_DOWNSTREAM);
    }

    @Test
    void http2SettingsAreCarriedInThePool() {
        ConnectionPoolSpec pool = pool(H2UpgradePolicy.UPGRADE, false);
        assertThat(pool.h2Upgrade()).isTrue();
        assertThat(pool.useClientProtocol()).isFalse();
        assertThat(pool.maxConcurrentStreams()).isEqualTo(7);
        assertThat(ConnectionPoolSettingsTranslator.translate(new ConnectionPoolSettings(null,
                new HttpSettings(null, null, null, null, null, null, null, null))).http2()).isNull();
    }
}
