package dev.meshgate.core.networking.virtualservice;

import org.jspecify.annotations.Nullable;

/** Istio's {@code Delegate}: hands the route to another VirtualService (by name and namespace). */
public record Delegate(@Nullable String name, @Nullable String namespace) {
}
