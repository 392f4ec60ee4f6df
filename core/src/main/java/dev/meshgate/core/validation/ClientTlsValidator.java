package dev.meshgate.core.validation;

import dev.meshgate.core.networking.destinationrule.ClientTlsSettings;
import dev.meshgate.core.networking.destinationrule.ClientTlsSettings.TlsMode;

import org.jspecify.annotations.Nullable;

/**
 * Validates a DestinationRule's {@code tls} ({@code ClientTLSSettings}) with Istio's rules (pilot's
 * {@code validateTLS}): ISTIO_MUTUAL uses the mesh's certificates, so files and credentialName are an error with it
 * (MG0832); with {@code credentialName} the files are an error (MG0850); MUTUAL needs {@code clientCertificate} and
 * {@code privateKey} unless it has {@code credentialName} (MG0851). meshgate adds warnings where a field has no
 * effect: {@code insecureSkipVerify} with {@code caCertificates} or {@code subjectAltNames}, client files with
 * SIMPLE, {@code caCrl} with {@code insecureSkipVerify} (MG0852). {@code insecureSkipVerify} with DISABLE or
 * ISTIO_MUTUAL, and the files with DISABLE, stay reported unsupported (MG0001), as Istio ignores them there.
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
                || tls.caCertificates() != null || tls.credentialName() != null || tls.caCrl() != null)) {
            problems.add(DiagnosticCode.MTLS_ISTIO_MUTUAL_WITH_CERTIFICATES, field,
                    "ISTIO_MUTUAL uses the mesh's workload certificates (expected no clientCertificate, privateKey, "
                            + "caCertificates, caCrl or credentialName; use MUTUAL to present other certificates)");
            return;
        }
        if (mode == TlsMode.SIMPLE || mode == TlsMode.MUTUAL) {
            origination(problems, field, mode, tls);
            return;
        }
        problems.unsupported(field + ".insecureSkipVerify", tls.insecureSkipVerify());
        if (mode == TlsMode.DISABLE) {
            for (String[] named : new String[][] {{"caCrl", tls.caCrl()}, {"clientCertificate", tls.clientCertificate()},
                    {"privateKey", tls.privateKey()}, {"caCertificates", tls.caCertificates()},
                    {"credentialName", tls.credentialName()}}) {
                if (named[1] != null) {
                    // Istio builds no TLS context for DISABLE: the files are never read.
                    problems.add(DiagnosticCode.MTLS_FIELD_WITHOUT_EFFECT, field + "." + named[0], "\"" + named[1]
                            + "\" has no effect: mode DISABLE sends plain text (expected SIMPLE or MUTUAL to use it)");
                }
            }
        }
    }

    private static void origination(Problems problems, String field, TlsMode mode, ClientTlsSettings tls) {
        if (tls.credentialName() != null) {
            if (tls.credentialName().isBlank() || tls.credentialName().contains("/")
                    || tls.credentialName().contains("..")) {
                problems.add(DiagnosticCode.MTLS_CREDENTIAL_INVALID, field + ".credentialName", "\""
                        + tls.credentialName() + "\" is not a credential name (expected a Secret name, e.g. "
                        + "client-credential)");
            }
            String files = files(tls);
            if (!files.isEmpty()) {
                problems.add(DiagnosticCode.MTLS_CREDENTIAL_INVALID, field, "credentialName \""
                        + tls.credentialName() + "\" is set together with " + files + " (expected either "
                        + "credentialName or the certificate files, not both)");
            }
        } else if (mode == TlsMode.MUTUAL) {
            if (blank(tls.clientCertificate())) {
                problems.add(DiagnosticCode.MTLS_CLIENT_CERTIFICATE_REQUIRED, field + ".clientCertificate",
                        "MUTUAL needs a client certificate (expected clientCertificate and privateKey, or "
                                + "credentialName)");
            }
            if (blank(tls.privateKey())) {
                problems.add(DiagnosticCode.MTLS_CLIENT_CERTIFICATE_REQUIRED, field + ".privateKey",
                        "MUTUAL needs the client certificate's private key (expected clientCertificate and "
                                + "privateKey, or credentialName)");
            }
        } else if (tls.clientCertificate() != null || tls.privateKey() != null) {
            problems.add(DiagnosticCode.MTLS_FIELD_WITHOUT_EFFECT, field,
                    "SIMPLE presents no client certificate: clientCertificate and privateKey are ignored (expected "
                            + "mode MUTUAL to present them)");
        }
        if (Boolean.TRUE.equals(tls.insecureSkipVerify())) {
            if (tls.caCrl() != null) {
                problems.add(DiagnosticCode.MTLS_FIELD_WITHOUT_EFFECT, field + ".caCrl",
                        "\"" + tls.caCrl() + "\" is not used: insecureSkipVerify is true (expected one of caCrl and "
                                + "insecureSkipVerify)");
            }
            if (tls.caCertificates() != null) {
                problems.add(DiagnosticCode.MTLS_FIELD_WITHOUT_EFFECT, field + ".caCertificates",
                        "\"" + tls.caCertificates() + "\" is not used: insecureSkipVerify is true (expected one of "
                                + "caCertificates and insecureSkipVerify)");
            }
            if (!tls.subjectAltNames().isEmpty()) {
                problems.add(DiagnosticCode.MTLS_FIELD_WITHOUT_EFFECT, field + ".subjectAltNames",
                        tls.subjectAltNames() + " are not checked: insecureSkipVerify is true (expected one of "
                                + "subjectAltNames and insecureSkipVerify)");
            }
        }
    }

    private static String files(ClientTlsSettings tls) {
        StringBuilder files = new StringBuilder();
        for (String[] f : new String[][] {{"clientCertificate", tls.clientCertificate()},
                {"privateKey", tls.privateKey()}, {"caCertificates", tls.caCertificates()},
                {"caCrl", tls.caCrl()}}) {
            if (f[1] != null) {
                files.append(files.isEmpty() ? "" : ", ").append(f[0]).append(" \"").append(f[1]).append('"');
            }
        }
        return files.toString();
    }

    private static boolean blank(@Nullable String value) {
        return value == null || value.isBlank();
    }
}
