package dev.meshgate.core.networking.gateway;

import java.util.List;

import dev.meshgate.core.networking.Immutable;

import org.jspecify.annotations.Nullable;

/** Istio's {@code ServerTLSSettings}, used by Gateway servers and Sidecar ingress listeners. */
public record ServerTlsSettings(@Nullable Boolean httpsRedirect, @Nullable TlsMode mode,
        @Nullable String serverCertificate, @Nullable String privateKey, @Nullable String caCertificates,
        @Nullable String caCrl, @Nullable String credentialName, List<String> credentialNames,
        List<TlsCertificate> tlsCertificates, List<String> subjectAltNames, List<String> verifyCertificateSpki,
        List<String> verifyCertificateHash, @Nullable TlsProtocol minProtocolVersion,
        @Nullable TlsProtocol maxProtocolVersion, List<String> cipherSuites) {

    public ServerTlsSettings {
        credentialNames = Immutable.list(credentialNames);
        tlsCertificates = Immutable.list(tlsCertificates);
        subjectAltNames = Immutable.list(subjectAltNames);
        verifyCertificateSpki = Immutable.list(verifyCertificateSpki);
        verifyCertificateHash = Immutable.list(verifyCertificateHash);
        cipherSuites = Immutable.list(cipherSuites);
    }

    /** Istio's {@code ServerTLSSettings.TLSmode}. */
    public enum TlsMode {
        PASSTHROUGH,
        SIMPLE,
        MUTUAL,
        AUTO_PASSTHROUGH,
        ISTIO_MUTUAL,
        OPTIONAL_MUTUAL
    }

    /** Istio's {@code ServerTLSSettings.TLSProtocol}. */
    public enum TlsProtocol {
        TLS_AUTO,
        TLSV1_0,
        TLSV1_1,
        TLSV1_2,
        TLSV1_3
    }

    /** Istio's {@code ServerTLSSettings.TLSCertificate}. */
    public record TlsCertificate(@Nullable String serverCertificate, @Nullable String privateKey,
            @Nullable String caCertificates) {
    }
}
