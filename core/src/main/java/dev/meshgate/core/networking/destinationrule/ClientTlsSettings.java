package dev.meshgate.core.networking.destinationrule;

import java.util.List;

import dev.meshgate.core.networking.Immutable;

import org.jspecify.annotations.Nullable;

/** Istio's {@code ClientTLSSettings}: TLS towards the destination. */
public record ClientTlsSettings(@Nullable TlsMode mode, @Nullable String clientCertificate,
        @Nullable String privateKey, @Nullable String caCertificates, @Nullable String credentialName,
        List<String> subjectAltNames, @Nullable String sni, @Nullable Boolean insecureSkipVerify,
        @Nullable String caCrl) {

    public ClientTlsSettings {
        subjectAltNames = Immutable.list(subjectAltNames);
    }

    /** Istio's {@code ClientTLSSettings.TLSmode}. */
    public enum TlsMode {
        DISABLE,
        SIMPLE,
        MUTUAL,
        ISTIO_MUTUAL
    }
}
