package dev.meshgate.core.view;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.meshgate.core.networking.destinationrule.ClientTlsSettings.TlsMode;

import org.jspecify.annotations.Nullable;

/**
 * {@code DestinationRule.spec.trafficPolicy.tls} of one cluster, as the proxy originates it. A cluster without
 * one uses auto mutual TLS (Istio's {@code enableAutoMtls}, on by default): ISTIO_MUTUAL towards endpoints labelled
 * {@code security.istio.io/tlsMode: istio} (those with a sidecar), plaintext towards the others. With MeshConfig
 * {@code enableAutoMtls: false} such a cluster gets a DISABLE spec instead.
 *
 * @param mode DISABLE (plaintext), SIMPLE (TLS, the server verified), MUTUAL (SIMPLE presenting a client
 *     certificate) or ISTIO_MUTUAL (the workload certificate, the mesh roots)
 * @param subjectAltNames ISTIO_MUTUAL: the SPIFFE ids the server may present; empty: the endpoint's service account
 *     when known, any identity of the mesh otherwise. SIMPLE/MUTUAL: the names (DNS or URI SAN) one of which the
 *     server certificate must carry; empty: the server name sent ({@code sni}) must match it
 * @param sni the server name to send; null: none for ISTIO_MUTUAL, the cluster's host for SIMPLE/MUTUAL (the host
 *     the app addressed, as Istio's auto SNI sends it)
 * @param caCertificates SIMPLE/MUTUAL: the PEM file of the roots the server is verified against; null: the
 *     credential's {@code ca.crt} when {@code credentialName} has one, else the JVM's default trust store
 * @param clientCertificate MUTUAL: the PEM file of the client certificate chain
 * @param privateKey MUTUAL: the PEM file of the client key
 * @param credentialName SIMPLE/MUTUAL: the directory {@code <credentials root>/<name>} of the proxy holding
 *     {@code tls.crt}, {@code tls.key} and {@code ca.crt}, in place of the three files
 * @param insecureSkipVerify SIMPLE/MUTUAL: TRUE accepts any server certificate (no chain or name check); null
 *     (never FALSE, so that views without it stay unchanged) verifies it
 * @param caCrl SIMPLE/MUTUAL: the PEM file of the certificate revocation lists a server certificate is checked
 *     against; null: none (with {@code credentialName}, the credential's {@code ca.crl} when it has one)
 */
public record ClientTlsSpec(TlsMode mode, List<String> subjectAltNames, @Nullable String sni,
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String caCertificates,
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String clientCertificate,
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String privateKey,
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String credentialName,
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable Boolean insecureSkipVerify,
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String caCrl) {

    /** The endpoint label Istio's injector puts on workloads with a sidecar. */
    public static final String TLS_MODE_LABEL = "security.istio.io/tlsMode";

    /** Plaintext towards every endpoint. */
    public static final ClientTlsSpec DISABLE = new ClientTlsSpec(TlsMode.DISABLE, List.of(), null);

    public ClientTlsSpec {
        subjectAltNames = subjectAltNames == null ? List.of() : List.copyOf(subjectAltNames);
        insecureSkipVerify = Boolean.TRUE.equals(insecureSkipVerify) ? Boolean.TRUE : null;
    }

    /** Whether the server certificate is accepted unchecked ({@code insecureSkipVerify: true}). */
    public boolean skipsVerification() {
        return Boolean.TRUE.equals(insecureSkipVerify);
    }

    /** A DISABLE or ISTIO_MUTUAL spec (no files). */
    public ClientTlsSpec(TlsMode mode, List<String> subjectAltNames, @Nullable String sni) {
        this(mode, subjectAltNames, sni, null, null, null, null, null);
    }

    /** A spec without {@code caCrl}. */
    public ClientTlsSpec(TlsMode mode, List<String> subjectAltNames, @Nullable String sni,
            @Nullable String caCertificates, @Nullable String clientCertificate, @Nullable String privateKey,
            @Nullable String credentialName, @Nullable Boolean insecureSkipVerify) {
        this(mode, subjectAltNames, sni, caCertificates, clientCertificate, privateKey, credentialName,
                insecureSkipVerify, null);
    }

    /** Whether an endpoint with {@code labels} has a sidecar that terminates mutual TLS (auto mTLS). */
    public static boolean meshEnabled(java.util.Map<String, String> labels) {
        return "istio".equals(labels.get(TLS_MODE_LABEL));
    }

    /** Whether the proxy originates TLS of the DestinationRule's own (SIMPLE or MUTUAL), not the mesh's. */
    public boolean originates() {
        return mode == TlsMode.SIMPLE || mode == TlsMode.MUTUAL;
    }
}
