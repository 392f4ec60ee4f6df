package dev.meshgate.proxy.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;

import io.netty.handler.codec.http.HttpServerCodec;

/**
 * Puts {@link DownstreamProperties} on every listener of the proxy: the main server and, through
 * {@link dev.meshgate.proxy.listener.ListenerServerFactory}, the extra listeners. Runs after Spring Boot's own
 * Netty customizer, so its header-size limit replaces {@code server.max-http-request-header-size} (the HTTP decoder
 * settings {@code server.netty.*} are then Reactor Netty's defaults: the proxy sets none of them).
 *
 * <p>What Reactor Netty already does at the edge, as Envoy does: invalid characters in a header name or value, and
 * a request with both {@code Content-Length} and {@code Transfer-Encoding} (RFC 9112 §6.1), are answered 400 and
 * the connection closed; {@code Expect: 100-continue} is answered. Added here: an absolute-form request target
 * sets the Host ({@link AbsoluteFormHost}), so that HTTP/1.0 requests, which carry no Host, are routed; pipelined
 * requests are handed on one at a time ({@link PipelinedRequests}).
 */
final class DownstreamLimits implements WebServerFactoryCustomizer<NettyReactiveWebServerFactory>, Ordered {

    private static final Logger log = LoggerFactory.getLogger(DownstreamLimits.class);

    private final DownstreamProperties properties;

    DownstreamLimits(DownstreamProperties properties) {
        this.properties = properties;
    }

    @Override
    public void customize(NettyReactiveWebServerFactory factory) {
        int headers = (int) properties.maxRequestHeadersSize().toBytes();
        long timeoutNanos = properties.requestHeadersTimeout().toNanos();
        factory.addServerCustomizers(server -> server
                // Envoy counts the request line within max_request_headers_kb; Netty limits it apart (4 KiB).
                .httpRequestDecoder(decoder -> decoder.maxHeaderSize(headers).maxInitialLineLength(headers)
                        .h2cMaxContentLength(DownstreamHttp2.H2C_UPGRADE_MAX_BODY))
                .maxConnections(properties.maxConnections())
                .doOnChannelInit((observer, channel, remoteAddress) -> {
                    var pipeline = channel.pipeline();
                    // Named HttpCodec on an HTTP/1.1-only listener; unnamed beside the h2c upgrade handlers,
                    // which take it out when the connection turns to HTTP/2 (DownstreamHttp2).
                    var codec = pipeline.context(HttpServerCodec.class);
                    if (codec == null) {
                        log.warn("No HTTP/1.1 codec on {}: request headers timeout and pipelining not applied",
                                channel);
                        return;
                    }
                    RequestHeadersTimeout timeout = new RequestHeadersTimeout(timeoutNanos);
                    pipeline.addBefore(codec.name(), "meshgate.requestHeadersTimeout.bytes", timeout.bytes());
                    pipeline.addAfter(codec.name(), "meshgate.requestHeadersTimeout.requests",
                            timeout.requests());
                    pipeline.addAfter("meshgate.requestHeadersTimeout.requests", "meshgate.absoluteFormHost",
                            AbsoluteFormHost.INSTANCE);
                    pipeline.addAfter("meshgate.absoluteFormHost", "meshgate.pipelinedRequests",
                            new PipelinedRequests());
                }));
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
