package dev.meshgate.core.validation;

import dev.meshgate.core.networking.destinationrule.ClientTlsSettings;
import dev.meshgate.core.networking.destinationrule.ClientTlsSettings.TlsMode;

import org.jspecify.annotations.Nullable;

/**
 * Validates a DestinationRule's {@code tls} ({@code ClientTLSSettings}) with Istio's rules: ISTIO_MUTUAL uses the
 * mesh's certificates, so files and credentialName are an error with it. meshgate originates DISABLE and
 * ISTIO_MUTUAL (with {@code sni} and {@code subjectAltNames}); SIMPLE, MUTUAL and the fields only they use are
 * reported unsupported (MG0001), and the cluster stays on auto mutual TLS.
 */
final class ClientTlsValidator {

    private ClientTlsValidator() {
    }

    static void validate(Problems problems, String field, @Nullable ClientTlsSettings tls) {
        if (tls == null) {
            return;
        }
        TlsMode mode = tls.mode() == null ? TlsMode.DISABLE : tls.mode();
        if (mode == TlsMode.ISTIO_MUTUAL && (tls.clientCertificate() != null || tls.privateKey() != null
                || tls.caCertificates() != null || tls.credentialName() != null)) {
            problems.add(DiagnosticCode.MTLS_ISTIO_MUTUAL_WITH_CERTIFICATES, field,
                    "ISTIO_MUTUAL uses the mesh's workload certificates (expected no clientCertificate, privateKey, "
                            + "caCertificates or credentialName; use MUTUAL to present other certificates)");
            return;
        }
        if (mode == TlsMode.SIMPLE || mode == TlsMode.MUTUAL) {
            problems.unsupported(field + ".mode", mode);
            return;
        }
        problems.unsupported(field + ".insecureSkipVerify", tls.insecureSkipVerify());
        problems.unsupported(field + ".caCrl", tls.caCrl());
        if (mode == TlsMode.DISABLE) {
            problems.unsupported(field + ".clientCertificate", tls.clientCertificate());
            problems.unsupported(field + ".privateKey", tls.privateKey());
            problems.unsupported(field + ".caCertificates", tls.caCertificates());
            problems.unsupported(field + ".credentialName", tls.credentialName());
        }
    }
}
