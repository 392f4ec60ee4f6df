package dev.meshgate.proxy.authz;

/**
 * The authenticated identity of the downstream peer (from its mTLS certificate), as Istio's {@code source.principal}
 * and {@code source.namespace} see it.
 *
 * @param principal {@code <trustDomain>/ns/<namespace>/sa/<serviceAccount>} (the SPIFFE id without {@code spiffe://})
 * @param namespace the peer's namespace
 * @param serviceAccount the peer's service account
 */
public record PeerIdentity(String principal, String namespace, String serviceAccount) {

    /** The identity of SPIFFE id {@code spiffe://td/ns/<ns>/sa/<sa>}, or null when it has another form. */
    public static @org.jspecify.annotations.Nullable PeerIdentity ofSpiffe(String uri) {
        String id = uri.startsWith("spiffe://") ? uri.substring("spiffe://".length()) : uri;
        String[] parts = id.split("/");
        if (parts.length != 5 || !parts[1].equals("ns") || !parts[3].equals("sa")) {
            return null;
        }
        return new PeerIdentity(id, parts[2], parts[4]);
    }
}
