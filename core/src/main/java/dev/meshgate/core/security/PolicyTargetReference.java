package dev.meshgate.core.security;

import org.jspecify.annotations.Nullable;

/** Istio's {@code type.v1beta1.PolicyTargetReference}: read so that it can be reported unsupported. */
public record PolicyTargetReference(@Nullable String group, @Nullable String kind, @Nullable String name,
        @Nullable String namespace) {
}
