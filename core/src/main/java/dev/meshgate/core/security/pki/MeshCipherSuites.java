package dev.meshgate.core.security.pki;

import java.util.List;

/**
 * The cipher suites of the mesh's own TLS (ISTIO_MUTUAL between proxies, proxies to the control plane), in the order
 * Envoy offers them, as IANA names for the JDK. Envoy leaves TLS 1.3's suites to BoringSSL, which prefers
 * AES-128-GCM where the CPU has AES instructions; its default TLS 1.2 list puts ECDHE-ECDSA-AES128-GCM-SHA256 first
 * (the mesh's certificates are ECDSA). Netty's default list for the JDK puts ECDHE-ECDSA-AES256-GCM-SHA384 first,
 * so TLS 1.2 peers got AES-256-GCM, which costs more per record (docs/performance.md); the JDK's server picks by its
 * own order. A user's {@code cipherSuites} (Gateway, DestinationRule) keep their own order.
 */
public final class MeshCipherSuites {

    /** TLS 1.3 first, then Envoy's default TLS 1.2 suites (its ECDHE-RSA ones for a peer with an RSA key). */
    public static final List<String> ORDER = List.of(
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");

    private MeshCipherSuites() {
    }
}
