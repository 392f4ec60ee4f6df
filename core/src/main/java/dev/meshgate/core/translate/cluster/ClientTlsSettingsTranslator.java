package dev.meshgate.core.translate.cluster;

import dev.meshgate.core.networking.destinationrule.ClientTlsSettings;
import dev.meshgate.core.networking.destinationrule.ClientTlsSettings.TlsMode;
import dev.meshgate.core.view.ClientTlsSpec;

import org.jspecify.annotations.Nullable;

/**
 * Implements {@code DestinationRule.spec.trafficPolicy.tls} (and its port-level and subset forms): modes DISABLE and
 * ISTIO_MUTUAL with {@code subjectAltNames} and {@code sni}. Not supported (reported at validation): SIMPLE, MUTUAL,
 * {@code clientCertificate}, {@code privateKey}, {@code caCertificates}, {@code credentialName},
 * {@code insecureSkipVerify}, {@code caCrl}; such a setting leaves the cluster on auto mutual TLS.
 */
final class ClientTlsSettingsTranslator {

    private ClientTlsSettingsTranslator() {
    }

    static @Nullable ClientTlsSpec translate(@Nullable ClientTlsSettings tls) {
        if (tls == null || tls.mode() == null) {
            return null;
        }
        TlsMode mode = tls.mode();
        if (mode != TlsMode.DISABLE && mode != TlsMode.ISTIO_MUTUAL) {
            return null;
        }
        return new ClientTlsSpec(mode, mode == TlsMode.DISABLE ? java.util.List.of() : tls.subjectAltNames(),
                mode == TlsMode.DISABLE ? null : tls.sni());
    }
}
