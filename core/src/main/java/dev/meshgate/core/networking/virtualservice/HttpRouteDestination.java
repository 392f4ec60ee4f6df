package dev.meshgate.core.networking.virtualservice;

import dev.meshgate.core.networking.Destination;

import org.jspecify.annotations.Nullable;

/**
 * Istio's {@code HTTPRouteDestination}: a destination, its share of the traffic, and header operations.
 *
 * @param weight share in percent; the weights of a route should sum to 100; a lone destination may omit it
 */
public record HttpRouteDestination(@Nullable Destination destination, @Nullable Integer weight,
        @Nullable Headers headers) {
}
