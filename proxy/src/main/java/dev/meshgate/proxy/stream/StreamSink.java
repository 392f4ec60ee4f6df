package dev.meshgate.proxy.stream;

import org.springframework.web.server.ServerWebExchange;

/**
 * Reads a request's {@link StreamInfo} once the response is done (or the client went away): metrics, access
 * logs, spans. Called on the event loop that finished the request, once per request: a sink must not block and
 * should do what is slow (writing a file, sending spans) elsewhere.
 */
@FunctionalInterface
public interface StreamSink {

    /**
     * @param info the finished record
     * @param exchange the request's exchange, for what the record does not copy (method, path, headers)
     */
    void onComplete(StreamInfo info, ServerWebExchange exchange);
}
