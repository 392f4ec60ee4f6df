package dev.meshgate.proxy.listener;

import java.net.InetAddress;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.boot.util.LambdaSafe;
import org.springframework.boot.web.server.WebServer;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.http.server.reactive.HttpHandler;

/**
 * Starts extra listeners of a proxy (the sidecar's inbound port, a gateway's server ports): Reactor Netty
 * servers that serve the application's one WebFlux {@link HttpHandler}, so that every listener goes through
 * the same Spring Cloud Gateway routing. They share the main server's event loops and get the same
 * {@code server.*} settings, except for port and address.
 */
public final class ListenerServerFactory {

    private final ObjectProvider<HttpHandler> httpHandler;
    private final @Nullable ReactorResourceFactory resources;
    private final List<WebServerFactoryCustomizer<?>> customizers;

    public ListenerServerFactory(ObjectProvider<HttpHandler> httpHandler, @Nullable ReactorResourceFactory resources,
            List<WebServerFactoryCustomizer<?>> customizers) {
        this.httpHandler = httpHandler;
        this.resources = resources;
        this.customizers = customizers;
    }

    /**
     * Binds a listener and starts serving on it. Blocks until bound: call it off the event loops.
     *
     * @param port the port, 0 for one the OS picks (read it back from {@link WebServer#getPort()})
     * @throws org.springframework.boot.web.server.WebServerException if the port cannot be bound
     */
    public WebServer start(InetAddress address, int port) {
        return start(address, port, List.of());
    }

    /**
     * {@link #start(InetAddress, int)} with customizers of this listener's server only (e.g. the sidecar inbound
     * listener's mutual TLS), applied after the application's.
     */
    public WebServer start(InetAddress address, int port, List<NettyServerCustomizer> listenerCustomizers) {
        NettyReactiveWebServerFactory factory = new NettyReactiveWebServerFactory();
        if (resources != null) {
            factory.setResourceFactory(resources);
        }
        applyCustomizers(factory);
        factory.addServerCustomizers(listenerCustomizers.toArray(NettyServerCustomizer[]::new));
        factory.setPort(port);
        factory.setAddress(address);
        WebServer server = factory.getWebServer(httpHandler.getObject());
        server.start();
        return server;
    }

    @SuppressWarnings("unchecked")
    private void applyCustomizers(NettyReactiveWebServerFactory factory) {
        LambdaSafe.callbacks(WebServerFactoryCustomizer.class, customizers, factory)
                .invoke(customizer -> customizer.customize(factory));
    }
}
