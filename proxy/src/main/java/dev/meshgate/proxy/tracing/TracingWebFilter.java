package dev.meshgate.proxy.tracing;

import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;

import reactor.core.publisher.Mono;

import dev.meshgate.proxy.server.MeshWebFilter;
import dev.meshgate.proxy.stream.StreamInfo;

/**
 * Gives every request on a mesh listener its span context ({@link MeshTracer#start}) right after its record is
 * opened, before anything can answer it locally, so that local answers are traced too.
 */
public final class TracingWebFilter extends MeshWebFilter {

    private final MeshTracer tracer;

    public TracingWebFilter(MeshTracer tracer) {
        this.tracer = tracer;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (exchange.getAttribute(StreamInfo.ATTRIBUTE) instanceof StreamInfo info) {
            tracer.start(exchange, info);
        }
        return chain.filter(exchange);
    }

    @Override
    public int getOrder() {
        // After StreamInfoWebFilter (+10), before path normalization (+50), which may answer 400.
        return Ordered.HIGHEST_PRECEDENCE + 20;
    }
}
