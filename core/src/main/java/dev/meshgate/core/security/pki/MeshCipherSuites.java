package dev.meshgate.core.security.pki;

import java.util.List;
import java.util.stream.Stream;

/**
 * The cipher suites of the mesh's own TLS (ISTIO_MUTUAL between proxies, proxies to the control plane), as IANA
 * names for the JDK. TLS 1.3's come first in BoringSSL's order (AES-128-GCM first where the CPU has AES
 * instructions; neither Istio nor Envoy can configure them), which is what two sidecars negotiate. For TLS 1.2 peers
 * the sides differ as in Istio: pilot gives a sidecar's inbound listener its own server list (AES-256-GCM first,
 * no ChaCha20), and leaves clients and everything else to Envoy's default list (AES-128-GCM first). Netty's default
 * list for the JDK differs from both. A user's {@code cipherSuites} (Gateway, DestinationRule) keep their own order.
 */
public final class MeshCipherSuites {

    private static final List<String> TLS13 = List.of(
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256");

    /** Envoy's default TLS 1.2 suites after TLS 1.3's (its ECDHE-RSA ones for a peer with an RSA key). */
    public static final List<String> ENVOY_DEFAULT = concat(TLS13, List.of(
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"));

    /** Istio's server-side list for a sidecar's inbound mutual TLS, after TLS 1.3's. */
    public static final List<String> ISTIO_INBOUND = concat(TLS13, List.of(
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_RSA_WITH_AES_128_GCM_SHA256"));

    private MeshCipherSuites() {
    }

    private static List<String> concat(List<String> first, List<String> then) {
        return Stream.concat(first.stream(), then.stream()).toList();
    }
}
