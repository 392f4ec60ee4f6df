package dev.meshgate.core.networking.virtualservice;

import dev.meshgate.core.networking.Destination;
import dev.meshgate.core.networking.Percent;

import org.jspecify.annotations.Nullable;

/** Istio's {@code HTTPMirrorPolicy}: one mirror destination and the share of requests copied to it. */
public record HttpMirrorPolicy(@Nullable Destination destination, @Nullable Percent percentage) {
}
