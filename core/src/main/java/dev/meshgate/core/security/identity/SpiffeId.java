package dev.meshgate.core.security.identity;

/**
 * A workload's identity, {@code spiffe://<trustDomain>/ns/<namespace>/sa/<serviceAccount>}, as Istio names it: the
 * URI SAN of a workload certificate and what a bootstrap token is bound to. The trust domain comes from
 * MeshConfig {@code trustDomain} ({@link #DEFAULT_TRUST_DOMAIN} when absent).
 */
public record SpiffeId(String trustDomain, String namespace, String serviceAccount) {

    /** Istio's default trust domain. */
    public static final String DEFAULT_TRUST_DOMAIN = "cluster.local";

    private static final String SCHEME = "spiffe://";

    public SpiffeId {
        check("trustDomain", trustDomain);
        check("namespace", namespace);
        check("serviceAccount", serviceAccount);
    }

    /** The identity a URI names; {@link IllegalArgumentException} naming the problem when it is not one. */
    public static SpiffeId parse(String uri) {
        if (!uri.startsWith(SCHEME)) {
            throw new IllegalArgumentException("SPIFFE ID: \"" + uri + "\" (expected: spiffe://<trust domain>/ns/<namespace>/sa/<service account>)");
        }
        String[] parts = uri.substring(SCHEME.length()).split("/", -1);
        if (parts.length != 5 || !parts[1].equals("ns") || !parts[3].equals("sa")) {
            throw new IllegalArgumentException("SPIFFE ID: \"" + uri + "\" (expected: spiffe://<trust domain>/ns/<namespace>/sa/<service account>)");
        }
        return new SpiffeId(parts[0], parts[2], parts[4]);
    }

    /** {@code spiffe://<trustDomain>/ns/<namespace>/sa/<serviceAccount>}. */
    public String uri() {
        return SCHEME + trustDomain + "/ns/" + namespace + "/sa/" + serviceAccount;
    }

    /** Istio's principal form, without the scheme ({@code cluster.local/ns/default/sa/web}), as policies write it. */
    public String principal() {
        return trustDomain + "/ns/" + namespace + "/sa/" + serviceAccount;
    }

    /** The same workload in another trust domain. */
    public SpiffeId withTrustDomain(String domain) {
        return new SpiffeId(domain, namespace, serviceAccount);
    }

    @Override
    public String toString() {
        return uri();
    }

    private static void check(String field, String value) {
        if (value == null || value.isBlank() || value.indexOf('/') >= 0 || value.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException(field + ": \"" + value + "\" (expected: a non-empty name without '/' or spaces)");
        }
    }
}
