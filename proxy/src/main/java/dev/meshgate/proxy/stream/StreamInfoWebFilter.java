package dev.meshgate.proxy.stream;

import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;

import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;

import dev.meshgate.proxy.route.ListenerBinding;
import dev.meshgate.proxy.server.MeshWebFilter;

/**
 * Opens a {@link StreamInfo} for every request on a mesh listener, first of all filters, and hands it to the
 * {@link StreamSink}s when the response is written (or the client went away, flagged DC). Requests on other
 * ports (the admin port) get no record.
 */
public final class StreamInfoWebFilter extends MeshWebFilter {

    private static final Logger log = LoggerFactory.getLogger(StreamInfoWebFilter.class);

    private final ListenerBinding binding;
    private final StreamSink[] sinks;

    public StreamInfoWebFilter(ListenerBinding binding, List<StreamSink> sinks) {
        this.binding = binding;
        this.sinks = sinks.toArray(StreamSink[]::new);
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String listener = binding.listenerFor(exchange.getRequest());
        if (listener == null) {
            return chain.filter(exchange);
        }
        StreamInfo info = new StreamInfo(listener);
        exchange.getAttributes().put(StreamInfo.ATTRIBUTE, info);
        if (sinks.length == 0) {
            return chain.filter(exchange);
        }
        // Before any filter adds or strips a field: the head as it came in.
        info.requestHeadBytes(HeadBytes.request(exchange.getRequest()));
        return chain.filter(exchange).doFinally(signal -> complete(info, exchange, signal));
    }

    private void complete(StreamInfo info, ServerWebExchange exchange, SignalType signal) {
        ServerHttpResponse response = exchange.getResponse();
        HttpStatusCode status = response.getStatusCode();
        // An error that escaped every mesh filter becomes WebFlux's 500 after this filter.
        int code = status != null ? status.value() : signal == SignalType.ON_ERROR ? 500 : 200;
        info.complete(code, signal == SignalType.CANCEL, exchange.getRequest().getHeaders().getContentLength(),
                response.getHeaders().getContentLength(), HeadBytes.response(response));
        for (StreamSink sink : sinks) {
            try {
                sink.onComplete(info, exchange);
            } catch (RuntimeException e) {
                // A sink's failure must not touch the request or the other sinks.
                log.warn("Stream sink {} failed: {}", sink.getClass().getSimpleName(), e.toString());
            }
        }
    }

    @Override
    public int getOrder() {
        // Before path normalization (which may answer 400 itself) and everything else.
        return Ordered.HIGHEST_PRECEDENCE + 10;
    }
}
