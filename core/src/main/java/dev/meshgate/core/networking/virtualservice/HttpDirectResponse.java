package dev.meshgate.core.networking.virtualservice;

import org.jspecify.annotations.Nullable;

/**
 * Istio's {@code HTTPDirectResponse}: answer with a fixed status and body instead of forwarding.
 *
 * @param status required
 */
public record HttpDirectResponse(@Nullable Integer status, @Nullable HttpBody body) {

    /** Istio's {@code HTTPBody}: exactly one of a text or base64 bytes. */
    public record HttpBody(@Nullable String string, @Nullable String bytes) {
    }
}
