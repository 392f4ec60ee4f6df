package dev.meshgate.core.view;

import java.util.List;

import dev.meshgate.core.networking.destinationrule.ClientTlsSettings.TlsMode;

import org.jspecify.annotations.Nullable;

/**
 * {@code DestinationRule.spec.trafficPolicy.tls} of one cluster, as the proxy originates it. A cluster without
 * one uses auto mutual TLS (Istio's {@code enableAutoMtls}, on by default): ISTIO_MUTUAL towards endpoints labelled
 * {@code security.istio.io/tlsMode: istio} (those with a sidecar), plaintext towards the others.
 *
 * @param mode DISABLE (plaintext) or ISTIO_MUTUAL (the workload certificate, the mesh roots)
 * @param subjectAltNames the SPIFFE ids the server may present; empty: the endpoint's service account when known,
 *     any identity of the mesh otherwise
 * @param sni the server name to send; null sends none
 */
public record ClientTlsSpec(TlsMode mode, List<String> subjectAltNames, @Nullable String sni) {

    /** The endpoint label Istio's injector puts on workloads with a sidecar. */
    public static final String TLS_MODE_LABEL = "security.istio.io/tlsMode";

    public ClientTlsSpec {
        subjectAltNames = subjectAltNames == null ? List.of() : List.copyOf(subjectAltNames);
    }

    /** Whether an endpoint with {@code labels} has a sidecar that terminates mutual TLS (auto mTLS). */
    public static boolean meshEnabled(java.util.Map<String, String> labels) {
        return "istio".equals(labels.get(TLS_MODE_LABEL));
    }
}
