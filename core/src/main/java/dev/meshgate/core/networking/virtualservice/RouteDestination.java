package dev.meshgate.core.networking.virtualservice;

import dev.meshgate.core.networking.Destination;

import org.jspecify.annotations.Nullable;

/** Istio's {@code RouteDestination} (TLS and TCP routes): a destination and its weight. */
public record RouteDestination(@Nullable Destination destination, @Nullable Integer weight) {
}
