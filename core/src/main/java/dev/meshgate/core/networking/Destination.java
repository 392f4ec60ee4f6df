package dev.meshgate.core.networking;

import org.jspecify.annotations.Nullable;

/**
 * Istio's {@code Destination}: a service of the registry, optionally a subset of it and one of its ports.
 *
 * @param host a registry host, short ({@code reviews}) or fully qualified; required
 * @param subset the name of a subset of a DestinationRule for {@code host}
 * @param port required only when the service exposes several ports
 */
public record Destination(@Nullable String host, @Nullable String subset, @Nullable PortSelector port) {
}
