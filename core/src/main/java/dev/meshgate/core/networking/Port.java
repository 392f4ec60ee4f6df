package dev.meshgate.core.networking;

import org.jspecify.annotations.Nullable;

/**
 * A port with its protocol, as Istio's {@code Port} (Gateway server), {@code ServicePort} (ServiceEntry) and
 * {@code SidecarPort} (Sidecar) write it: the three messages have the same fields.
 *
 * @param protocol {@code HTTP|HTTPS|GRPC|GRPC-WEB|HTTP2|MONGO|TCP|TLS} (a string in Istio, not an enum)
 */
public record Port(@Nullable Integer number, @Nullable String protocol, @Nullable String name,
        @Nullable Integer targetPort) {
}
