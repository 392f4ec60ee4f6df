package dev.meshgate.core.networking;

import org.jspecify.annotations.Nullable;

/** Istio's {@code PortSelector}: a port of a destination service, by number. */
public record PortSelector(@Nullable Integer number) {
}
