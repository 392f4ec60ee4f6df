package dev.meshgate.sidecar.outbound;

import dev.meshgate.proxy.cluster.SocketTransport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.server.reactive.context.ReactiveWebServerInitializedEvent;
import org.springframework.context.ApplicationListener;

/**
 * The sidecar's outbound listener, where the app sends its requests (as to an HTTP proxy, or with a plain Host
 * header): the application's main server. Remembers the port it was bound to, which may have been 0.
 */
public final class OutboundListener implements ApplicationListener<ReactiveWebServerInitializedEvent> {

    private static final Logger log = LoggerFactory.getLogger(OutboundListener.class);

    /** The name of the view's outbound listener. */
    public static final String NAME = "outbound";

    private volatile int port = -1;

    @Override
    public void onApplicationEvent(ReactiveWebServerInitializedEvent event) {
        // The admin port's server (management context) announces itself here too, under its own namespace.
        if (event.getApplicationContext().getServerNamespace() == null) {
            port = event.getWebServer().getPort();
            // Where io_uring is blocked (a container's default seccomp profile), say so: it costs CPU per request.
            log.info("Outbound listener on port {}; sockets on {}", port, SocketTransport.describe());
        }
    }

    /** The bound port, or -1 before the server has started. */
    public int port() {
        return port;
    }
}
