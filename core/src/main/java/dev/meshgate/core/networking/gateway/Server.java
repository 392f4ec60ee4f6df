package dev.meshgate.core.networking.gateway;

import java.util.List;

import dev.meshgate.core.networking.Immutable;
import dev.meshgate.core.networking.Port;

import org.jspecify.annotations.Nullable;

/**
 * Istio's {@code Server}: a port with its protocol, the hosts it serves and its TLS settings.
 *
 * @param port required
 * @param bind the address to bind to
 * @param hosts required: {@code [namespace/]host}, host may be {@code *} or {@code *.example.com}
 * @param defaultEndpoint loopback endpoint traffic is forwarded to (sidecar-like gateways)
 */
public record Server(@Nullable Port port, @Nullable String bind, List<String> hosts, @Nullable ServerTlsSettings tls,
        @Nullable String defaultEndpoint, @Nullable String name) {

    public Server {
        hosts = Immutable.list(hosts);
    }
}
