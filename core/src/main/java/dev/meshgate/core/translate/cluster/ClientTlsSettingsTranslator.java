package dev.meshgate.core.translate.cluster;

import dev.meshgate.core.networking.destinationrule.ClientTlsSettings;
import dev.meshgate.core.networking.destinationrule.ClientTlsSettings.TlsMode;
import dev.meshgate.core.view.ClientTlsSpec;

import org.jspecify.annotations.Nullable;

/**
 * Implements {@code DestinationRule.spec.trafficPolicy.tls} (and its port-level and subset forms): modes DISABLE,
 * SIMPLE, MUTUAL and ISTIO_MUTUAL with {@code subjectAltNames}, {@code sni}, and for SIMPLE and MUTUAL
 * {@code caCertificates}, {@code clientCertificate}, {@code privateKey}, {@code credentialName} and
 * {@code insecureSkipVerify} and {@code caCrl}. As in pilot, the fields a mode
 * does not use are dropped (DISABLE keeps nothing, ISTIO_MUTUAL no files), and a {@code tls} without mode is
 * DISABLE (the proto's default).
 */
final class ClientTlsSettingsTranslator {

    private ClientTlsSettingsTranslator() {
    }

    static @Nullable ClientTlsSpec translate(@Nullable ClientTlsSettings tls) {
        if (tls == null) {
            return null;
        }
        TlsMode mode = tls.mode() == null ? TlsMode.DISABLE : tls.mode();
        return switch (mode) {
            case DISABLE -> ClientTlsSpec.DISABLE;
            case ISTIO_MUTUAL -> new ClientTlsSpec(mode, tls.subjectAltNames(), tls.sni());
            case SIMPLE, MUTUAL -> {
                boolean credential = tls.credentialName() != null;
                boolean mutual = mode == TlsMode.MUTUAL;
                yield new ClientTlsSpec(mode, tls.subjectAltNames(), tls.sni(),
                        credential ? null : tls.caCertificates(),
                        credential || !mutual ? null : tls.clientCertificate(),
                        credential || !mutual ? null : tls.privateKey(),
                        tls.credentialName(), Boolean.TRUE.equals(tls.insecureSkipVerify()),
                        credential ? null : tls.caCrl());
            }
        };
    }
}
