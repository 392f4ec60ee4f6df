package dev.meshgate.core.security;

import java.util.List;

import dev.meshgate.core.networking.Immutable;

import org.jspecify.annotations.Nullable;

/**
 * The spec of an Istio {@code RequestAuthentication} ({@code security.istio.io/v1}): which JWTs the selected
 * workloads verify. A request with an invalid token is rejected (401); one without a token is accepted, with no
 * request principal.
 *
 * @param selector absent: every workload of the namespace (of the mesh, in the root namespace)
 * @param targetRef, targetRefs Gateway API attachment; unsupported (reported)
 */
public record RequestAuthentication(@Nullable SecurityWorkloadSelector selector,
        @Nullable PolicyTargetReference targetRef, List<PolicyTargetReference> targetRefs, List<JwtRule> jwtRules) {

    public RequestAuthentication {
        targetRefs = Immutable.list(targetRefs);
        jwtRules = Immutable.list(jwtRules);
    }
}
