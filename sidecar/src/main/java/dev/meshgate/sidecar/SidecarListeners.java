package dev.meshgate.sidecar;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.meshgate.proxy.listener.ListenerPorts;
import dev.meshgate.proxy.listener.PassthroughTarget;
import dev.meshgate.proxy.route.ListenerBinding;
import dev.meshgate.proxy.tcp.TcpListeners;
import dev.meshgate.sidecar.inbound.InboundListener;
import dev.meshgate.sidecar.inbound.InboundRoute;
import dev.meshgate.sidecar.outbound.OutboundListener;

import org.jspecify.annotations.Nullable;
import org.springframework.http.server.reactive.ServerHttpRequest;

/**
 * The sidecar's listeners by port: the outbound port serves the view's {@code outbound} listener, the inbound
 * port its {@code inbound} one; the TCP listeners' ports are listed too.
 */
final class SidecarListeners implements ListenerBinding, ListenerPorts {

    private final OutboundListener outbound;
    private final @Nullable InboundListener inbound;
    private final TcpListeners tcp;

    SidecarListeners(OutboundListener outbound, @Nullable InboundListener inbound, TcpListeners tcp) {
        this.outbound = outbound;
        this.inbound = inbound;
        this.tcp = tcp;
    }

    @Override
    public @Nullable String listenerFor(int localPort) {
        if (localPort == outbound.port()) {
            return OutboundListener.NAME;
        }
        if (inbound != null && localPort == inbound.port()) {
            return InboundRoute.LISTENER;
        }
        return null;
    }

    /** As by port, except that an inbound connection passed through to another app port has its own listener. */
    @Override
    public @Nullable String listenerFor(ServerHttpRequest request) {
        String listener = ListenerBinding.super.listenerFor(request);
        return InboundRoute.LISTENER.equals(listener) && PassthroughTarget.of(request) != null
                ? InboundRoute.PASSTHROUGH_LISTENER : listener;
    }

    @Override
    public Map<String, Integer> ports() {
        Map<String, Integer> ports = new LinkedHashMap<>();
        if (outbound.port() >= 0) {
            ports.put(OutboundListener.NAME, outbound.port());
        }
        if (inbound != null && inbound.port() >= 0) {
            ports.put(InboundRoute.LISTENER, inbound.port());
        }
        ports.putAll(tcp.ports());
        return ports;
    }
}
