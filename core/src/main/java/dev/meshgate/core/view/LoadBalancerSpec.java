package dev.meshgate.core.view;

import org.jspecify.annotations.Nullable;

/**
 * {@code trafficPolicy.loadBalancer}, compiled: either a simple policy or a consistent hash.
 *
 * @param simple the policy when {@code consistentHash} is null ({@code LEAST_CONN} arrives as
 *     {@code LEAST_REQUEST}, {@code UNSPECIFIED} as Istio's default {@code LEAST_REQUEST})
 * @param consistentHash set when the rule asks for a consistent hash; {@code simple} is then ignored
 */
public record LoadBalancerSpec(Simple simple, @Nullable ConsistentHashSpec consistentHash) {

    public static final LoadBalancerSpec DEFAULT = new LoadBalancerSpec(Simple.LEAST_REQUEST, null);

    /** {@code loadBalancer.simple}. */
    public enum Simple {
        ROUND_ROBIN,
        RANDOM,
        LEAST_REQUEST,
        /** Forward to the address the caller asked for (Istio's ORIGINAL_DST cluster). */
        PASSTHROUGH
    }

    /**
     * {@code loadBalancer.consistentHash}.
     *
     * @param key what the hash is computed on
     * @param name the header, cookie or query parameter name (null for SOURCE_IP)
     * @param cookiePath the generated cookie's Path, when set
     * @param cookieTtlMillis the generated cookie's Max-Age; 0 makes a session cookie. Envoy generates the
     *     cookie only when a ttl is given; Istio always gives one
     * @param algorithm RING_HASH ({@code ringHash} or the legacy {@code minimumRingSize}) or MAGLEV
     * @param tableSize ring hash minimum ring size (1024 by default) or Maglev table size (65537 by default)
     */
    public record ConsistentHashSpec(HashKey key, @Nullable String name, @Nullable String cookiePath,
            long cookieTtlMillis, Algorithm algorithm, long tableSize) {
    }

    /** What a consistent hash is computed on. */
    public enum HashKey {
        HEADER,
        COOKIE,
        SOURCE_IP,
        QUERY_PARAMETER
    }

    /** The consistent hash's algorithm. */
    public enum Algorithm {
        RING_HASH,
        MAGLEV
    }
}
