package dev.meshgate.proxy.route;

import java.net.InetSocketAddress;

import org.jspecify.annotations.Nullable;
import org.springframework.http.server.reactive.ServerHttpRequest;

/**
 * Tells mesh routing which view listener a request belongs to, by the local port it arrived on. The app provides
 * the bean: the sidecar maps its outbound port to {@code outbound} and its inbound port to {@code inbound}; the
 * gateway maps each local port to its gateway listener.
 */
@FunctionalInterface
public interface ListenerBinding {

    /**
     * The {@code ListenerSpec.name} of requests arriving on this local port, or null when the port is not a
     * mesh listener (e.g. the admin port): such requests are left to other handlers.
     */
    @Nullable String listenerFor(int localPort);

    /**
     * The listener of {@code request}: by default the one of its local port; a binding may look at the
     * connection too (the sidecar's inbound connections passed through to another app port).
     */
    default @Nullable String listenerFor(ServerHttpRequest request) {
        InetSocketAddress local = request.getLocalAddress();
        return local == null ? null : listenerFor(local.getPort());
    }
}
