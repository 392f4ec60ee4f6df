package dev.meshgate.proxy.stream;

import java.util.List;
import java.util.concurrent.RejectedExecutionException;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;

import io.netty.channel.EventLoop;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.netty.Connection;

import dev.meshgate.proxy.filter.NativeHeaders;
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
        EventLoop loop = eventLoop(exchange.getResponse());
        return chain.filter(exchange).doFinally(signal -> {
            // Reactor Netty completes a response head as it writes it, on the connection's event loop (its
            // HttpTrafficHandler adds `connection: close` there). A response written whole from another thread
            // (the upstream connection's loop) is queued to that loop before the exchange completes, and may not
            // have been written yet: the record, which counts the head, is completed behind it.
            if (loop != null && !loop.inEventLoop()) {
                try {
                    loop.execute(() -> complete(info, exchange, signal));
                    return;
                } catch (RejectedExecutionException shuttingDown) {
                    // completed here
                }
            }
            complete(info, exchange, signal);
        });
    }

    /** The event loop of the response's connection (taken while the exchange is open); null without a wire. */
    private static @Nullable EventLoop eventLoop(ServerHttpResponse response) {
        return HeadBytes.nativeResponse(response) instanceof Connection connection
                ? connection.channel().eventLoop() : null;
    }

    private void complete(StreamInfo info, ServerWebExchange exchange, SignalType signal) {
        ServerHttpResponse response = exchange.getResponse();
        HttpStatusCode status = response.getStatusCode();
        // An error that escaped every mesh filter becomes WebFlux's 500 after this filter.
        int code = status != null ? status.value() : signal == SignalType.ON_ERROR ? 500 : 200;
        info.complete(code, signal == SignalType.CANCEL, NativeHeaders.contentLength(exchange.getRequest()),
                NativeHeaders.contentLength(response), HeadBytes.response(response));
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
