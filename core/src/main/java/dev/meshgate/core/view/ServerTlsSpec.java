package dev.meshgate.core.view;

import java.util.List;

import dev.meshgate.core.networking.gateway.ServerTlsSettings.TlsMode;
import dev.meshgate.core.networking.gateway.ServerTlsSettings.TlsProtocol;

import org.jspecify.annotations.Nullable;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * How a gateway listener terminates TLS for one {@code Gateway} server (Envoy's filter chain with its
 * {@code server_names} and downstream TLS context): which certificate it presents to the clients whose SNI names
 * one of {@code sniHosts}, and whether and how it verifies theirs.
 *
 * @param server the server, for messages: {@code <ns>/<gateway> servers[<i>]}
 * @param sniHosts the server's hosts without their namespace part, lower case: a name, {@code *.suffix}, or
 *     {@code *} (any name, and clients that send none)
 * @param mode SIMPLE, MUTUAL, OPTIONAL_MUTUAL, or ISTIO_MUTUAL (the proxy's workload certificate, clients' chaining to
 *     the mesh roots required; no files)
 * @param credentialName where the certificate, key and client CA come from, when set: in local mode the directory
 *     {@code <credentials-root>/<credentialName>} of the gateway; otherwise the three paths below
 * @param serverCertificate PEM certificate chain file, when {@code credentialName} is null
 * @param privateKey PEM private key file, when {@code credentialName} is null
 * @param caCertificates PEM bundle that client certificates must chain to (MUTUAL, OPTIONAL_MUTUAL), when
 *     {@code credentialName} is null
 * @param minProtocolVersion null for Envoy's server default (TLS 1.2)
 * @param maxProtocolVersion null for Envoy's server default (TLS 1.3)
 * @param cipherSuites IANA names of the TLS 1.2 (and older) suites allowed, translated from Istio's OpenSSL names;
 *     empty for the defaults (TLS 1.3 suites are not configurable, as in Envoy)
 * @param caCrl PEM file of the revocation lists client certificates are checked against (MUTUAL,
 *     OPTIONAL_MUTUAL), when {@code credentialName} is null (the credential's {@code ca.crl} otherwise); null: none
 * @param subjectAltNames when a client certificate is verified (MUTUAL, OPTIONAL_MUTUAL, ISTIO_MUTUAL): one of its
 *     SANs (DNS, URI, email or IP) must equal one of these (Envoy's {@code match_subject_alt_names}); empty: any
 * @param verifyCertificateSpki base64 SHA-256 digests of the client certificate's SubjectPublicKeyInfo; with
 *     {@code verifyCertificateHash}, the certificate must match one entry of either list (Envoy's
 *     {@code verify_certificate_spki}); empty: no pin
 * @param verifyCertificateHash hex SHA-256 digests of the client certificate (colons allowed, any case), as Envoy's
 *     {@code verify_certificate_hash}
 * @param alternate the second certificate of {@code credentialNames} or {@code tlsCertificates} (the first is
 *     {@code credentialName}, or {@code serverCertificate} and {@code privateKey}), of the other key type (RSA and
 *     ECDSA); the handshake presents the one the client's signature algorithms accept. The client CA comes from the
 *     first. Null: one certificate
 */
public record ServerTlsSpec(String server, List<String> sniHosts, TlsMode mode,
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String credentialName,
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String serverCertificate,
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String privateKey,
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String caCertificates,
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable TlsProtocol minProtocolVersion,
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable TlsProtocol maxProtocolVersion,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> cipherSuites,
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String caCrl,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> subjectAltNames,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> verifyCertificateSpki,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> verifyCertificateHash,
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable Alternate alternate) {

    /**
     * A second server certificate: a credential, or certificate and key files.
     *
     * @param credentialName from {@code credentialNames[1]}
     * @param serverCertificate from {@code tlsCertificates[1]}, when {@code credentialName} is null
     * @param privateKey from {@code tlsCertificates[1]}, when {@code credentialName} is null
     */
    public record Alternate(@JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String credentialName,
            @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String serverCertificate,
            @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String privateKey) {
    }

    public ServerTlsSpec {
        sniHosts = sniHosts == null ? List.of() : List.copyOf(sniHosts);
        cipherSuites = cipherSuites == null ? List.of() : List.copyOf(cipherSuites);
        subjectAltNames = subjectAltNames == null ? List.of() : List.copyOf(subjectAltNames);
        verifyCertificateSpki = verifyCertificateSpki == null ? List.of() : List.copyOf(verifyCertificateSpki);
        verifyCertificateHash = verifyCertificateHash == null ? List.of() : List.copyOf(verifyCertificateHash);
    }

    /** A server that checks no more of a client certificate than its chain. */
    public ServerTlsSpec(String server, List<String> sniHosts, TlsMode mode, @Nullable String credentialName,
            @Nullable String serverCertificate, @Nullable String privateKey, @Nullable String caCertificates,
            @Nullable TlsProtocol minProtocolVersion, @Nullable TlsProtocol maxProtocolVersion,
            List<String> cipherSuites, @Nullable String caCrl) {
        this(server, sniHosts, mode, credentialName, serverCertificate, privateKey, caCertificates, minProtocolVersion,
                maxProtocolVersion, cipherSuites, caCrl, List.of(), List.of(), List.of());
    }

    /** A server with one certificate. */
    public ServerTlsSpec(String server, List<String> sniHosts, TlsMode mode, @Nullable String credentialName,
            @Nullable String serverCertificate, @Nullable String privateKey, @Nullable String caCertificates,
            @Nullable TlsProtocol minProtocolVersion, @Nullable TlsProtocol maxProtocolVersion,
            List<String> cipherSuites, @Nullable String caCrl, List<String> subjectAltNames,
            List<String> verifyCertificateSpki, List<String> verifyCertificateHash) {
        this(server, sniHosts, mode, credentialName, serverCertificate, privateKey, caCertificates, minProtocolVersion,
                maxProtocolVersion, cipherSuites, caCrl, subjectAltNames, verifyCertificateSpki, verifyCertificateHash,
                null);
    }

    /** Whether a verified client certificate must also match SANs or pins. */
    public boolean matchesClientCertificates() {
        return !subjectAltNames.isEmpty() || !verifyCertificateSpki.isEmpty() || !verifyCertificateHash.isEmpty();
    }

    /** A server without {@code caCrl}. */
    public ServerTlsSpec(String server, List<String> sniHosts, TlsMode mode, @Nullable String credentialName,
            @Nullable String serverCertificate, @Nullable String privateKey, @Nullable String caCertificates,
            @Nullable TlsProtocol minProtocolVersion, @Nullable TlsProtocol maxProtocolVersion,
            List<String> cipherSuites) {
        this(server, sniHosts, mode, credentialName, serverCertificate, privateKey, caCertificates, minProtocolVersion,
                maxProtocolVersion, cipherSuites, null);
    }

    /** Whether the server asks clients for a certificate (MUTUAL requires one, OPTIONAL_MUTUAL verifies one sent). */
    public boolean verifiesClients() {
        return mode == TlsMode.MUTUAL || mode == TlsMode.OPTIONAL_MUTUAL;
    }
}
