package dev.meshgate.core.networking.sidecar;

import dev.meshgate.core.networking.Destination;

import org.jspecify.annotations.Nullable;

/**
 * Istio's {@code OutboundTrafficPolicy}: what happens to traffic for hosts the registry does not know.
 *
 * @param egressProxy where such traffic goes when the mode is ALLOW_ANY
 */
public record OutboundTrafficPolicy(@Nullable Mode mode, @Nullable Destination egressProxy) {

    /** Istio's {@code OutboundTrafficPolicy.Mode}. */
    public enum Mode {
        REGISTRY_ONLY,
        ALLOW_ANY
    }
}
