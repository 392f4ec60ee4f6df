package dev.meshgate.sidecar.inbound;

import java.net.InetAddress;
import java.util.List;

import dev.meshgate.proxy.listener.ListenerServerFactory;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.boot.web.server.WebServer;
import org.springframework.context.SmartLifecycle;

/**
 * The sidecar's inbound listener, where mesh traffic for its workload arrives: a second server on the same
 * WebFlux handler as the outbound one, so inbound requests go through the gateway's routing too (the view's
 * {@code inbound} listener forwards them to the app).
 */
public final class InboundListener implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(InboundListener.class);

    private final ListenerServerFactory servers;
    private final InetAddress address;
    private final int configuredPort;
    private final List<NettyServerCustomizer> customizers;
    private volatile @Nullable WebServer server;

    public InboundListener(ListenerServerFactory servers, InetAddress address, int port) {
        this(servers, address, port, List.of());
    }

    /** An inbound listener whose server also gets {@code customizers} (mutual TLS). */
    public InboundListener(ListenerServerFactory servers, InetAddress address, int port,
            List<NettyServerCustomizer> customizers) {
        this.servers = servers;
        this.address = address;
        this.configuredPort = port;
        this.customizers = List.copyOf(customizers);
    }

    @Override
    public void start() {
        WebServer started = servers.start(address, configuredPort, customizers);
        server = started;
        log.info("Inbound listener on {}:{}", address.getHostAddress(), started.getPort());
    }

    @Override
    public void stop() {
        WebServer running = server;
        server = null;
        if (running != null) {
            running.stop();
        }
    }

    @Override
    public boolean isRunning() {
        return server != null;
    }

    /**
     * Starts with the main (outbound) server, whose lifecycle runs in this phase, before the discovery client: a
     * view applied is then served by both listeners, even while the admin server is still starting.
     */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 2048;
    }

    /** The bound port, or -1 when not listening. */
    public int port() {
        WebServer running = server;
        return running == null ? -1 : running.getPort();
    }
}
