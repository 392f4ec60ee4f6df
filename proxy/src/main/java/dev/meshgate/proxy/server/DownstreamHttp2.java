package dev.meshgate.proxy.server;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;

import reactor.netty.http.HttpProtocol;
import reactor.netty.http.server.HttpServerRequest;

/**
 * HTTP/2 on every listener of the proxy, beside HTTP/1.1 on the same port, as Envoy's HTTP connection manager
 * with {@code codec_type: AUTO} serves it: HTTP/2 with prior knowledge (h2c, what gRPC clients send), the
 * HTTP/1.1 {@code Upgrade: h2c}, and on a TLS listener ALPN {@code h2}. Spring Boot's {@code server.http2.enabled}
 * stays off, because Spring Cloud Gateway would then add its gRPC header filters, which meshgate's own upstream
 * path replaces (trailers, gRPC local replies).
 *
 * <p>An upgrade request may carry a body of up to {@link #H2C_UPGRADE_MAX_BODY} bytes (Netty holds it while
 * upgrading); a larger one is refused with 413 by Reactor Netty's upgrade handler.
 */
public final class DownstreamHttp2 implements WebServerFactoryCustomizer<NettyReactiveWebServerFactory>, Ordered {

    /** The largest body an {@code Upgrade: h2c} request may carry. */
    static final int H2C_UPGRADE_MAX_BODY = 64 * 1024;

    @Override
    public void customize(NettyReactiveWebServerFactory factory) {
        factory.addServerCustomizers(server -> {
            // HTTP/2 in clear text cannot be combined with TLS: a secure listener negotiates h2 by ALPN.
            boolean secure = server.configuration().sslProvider() != null;
            // The upgrade's body limit is set with the other decoder settings, in DownstreamLimits.
            return server.protocol(HttpProtocol.HTTP11, secure ? HttpProtocol.H2 : HttpProtocol.H2C);
        });
    }

    /** Whether the request came in over HTTP/2. */
    public static boolean isHttp2(ServerHttpRequest request) {
        io.netty.handler.codec.http.HttpVersion version = version(request);
        return version != null && version.majorVersion() == 2;
    }

    /** The HTTP version the request came in with, or null when it has no wire (a mock: the simulator, tests). */
    public static io.netty.handler.codec.http.@Nullable HttpVersion version(ServerHttpRequest request) {
        try {
            Object nativeRequest = ServerHttpRequestDecorator.getNativeRequest(request);
            return nativeRequest instanceof HttpServerRequest netty ? netty.version() : null;
        } catch (IllegalArgumentException | IllegalStateException mock) {
            return null;
        }
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE - 1;
    }
}
