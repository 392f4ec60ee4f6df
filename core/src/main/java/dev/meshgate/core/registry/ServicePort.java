package dev.meshgate.core.registry;

import java.util.Locale;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * One port of a {@link Service}.
 *
 * @param name the port name endpoints map their own port numbers by ({@code http}); unique within a service
 * @param number the service port clients send to
 * @param protocol Istio's protocol name, upper-case ({@code HTTP}, {@code HTTP2}, {@code GRPC}, {@code TCP},
 *     {@code HTTPS}, {@code TLS}...); empty when not declared
 * @param targetPort the endpoint port when an endpoint does not name one for this port; null means the service
 *     port number
 */
public record ServicePort(String name, int number, String protocol, @Nullable Integer targetPort) {

    /** Protocols an HTTP proxy can route; an undeclared protocol is sniffed by Istio and treated as HTTP here. */
    private static final Set<String> HTTP_PROTOCOLS = Set.of("", "HTTP", "HTTP2", "HTTP_PROXY", "GRPC", "GRPC-WEB");

    public ServicePort {
        name = name == null ? "" : name;
        protocol = protocol == null ? "" : protocol.toUpperCase(Locale.ROOT);
    }

    /** Whether HTTP routing applies to this port (its protocol is HTTP-like or not declared). */
    @JsonIgnore // derived, not part of the JSON form
    public boolean isHttp() {
        return HTTP_PROTOCOLS.contains(protocol);
    }
}
