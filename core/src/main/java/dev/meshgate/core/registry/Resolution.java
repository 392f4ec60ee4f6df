package dev.meshgate.core.registry;

/** How a service's endpoints are found, as in {@code ServiceEntry.spec.resolution}. */
public enum Resolution {
    /** Endpoints are listed (workloads, inline endpoints, Kubernetes endpoints). */
    STATIC,
    /** Endpoint addresses (or the host itself) are host names resolved at connect time. */
    DNS,
    /** Like DNS; Envoy keeps connections to the first address. Treated as DNS here. */
    DNS_ROUND_ROBIN,
    /** No resolution: traffic goes to the address the caller asked for. */
    NONE
}
