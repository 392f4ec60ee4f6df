package dev.meshgate.proxy.grpc;

import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.http.server.reactive.AbstractServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;

import io.netty.handler.codec.http.HttpHeaders;
import reactor.netty.http.server.HttpServerResponse;

import dev.meshgate.proxy.stream.StreamInfo;

/**
 * Relays the trailers of an upstream response to the client, as Envoy forwards trailers end to end: gRPC sends
 * its status ({@code grpc-status}, {@code grpc-message}) there, after the messages. Spring's
 * {@link ServerHttpResponse} has no trailers, so they are handed to Reactor Netty's response, which writes them
 * when the body ends (in a HEADERS frame on HTTP/2, in the last chunk on HTTP/1.1). The {@code grpc-status}
 * goes to the request's {@link StreamInfo} too, for the {@code grpc_response_status} metric label.
 *
 * <p>One object per forwarded response that may carry trailers; {@link #received} is called once the upstream
 * body has ended, before the downstream body completes.
 */
public final class ResponseTrailers {

    private final StreamInfo info;
    private volatile @Nullable HttpHeaders trailers;

    private ResponseTrailers(StreamInfo info) {
        this.info = info;
    }

    /**
     * Prepares {@code response} to end with the trailers {@link #received} later; null when the response is not
     * Reactor Netty's (then trailers are dropped, as before).
     */
    public static @Nullable ResponseTrailers attach(ServerHttpResponse response, StreamInfo info) {
        if (response instanceof GrpcWebResponse web) {
            // A gRPC-Web client gets them at the end of the body.
            return web.trailers(new ResponseTrailers(info));
        }
        HttpServerResponse netty = nativeResponse(response);
        if (netty == null) {
            return null;
        }
        ResponseTrailers relay = new ResponseTrailers(info);
        netty.trailerHeaders(relay::write);
        return relay;
    }

    /** The upstream's trailers, empty when it sent none. */
    public void received(HttpHeaders upstreamTrailers) {
        if (upstreamTrailers.isEmpty()) {
            return;
        }
        trailers = upstreamTrailers;
        String status = upstreamTrailers.get(GrpcLocalReply.GRPC_STATUS);
        if (status != null) {
            info.grpcStatus(status);
        }
    }

    /** The trailers received, null before (or when none came). */
    @Nullable HttpHeaders trailers() {
        return trailers;
    }

    private void write(HttpHeaders downstream) {
        HttpHeaders t = trailers;
        if (t == null) {
            return;
        }
        for (Map.Entry<String, String> entry : t) {
            try {
                downstream.add(entry.getKey(), entry.getValue());
            } catch (IllegalArgumentException e) {
                // a field not allowed in trailers (content-length, ...): dropped, as HTTP requires
            }
        }
    }

    private static @Nullable HttpServerResponse nativeResponse(ServerHttpResponse response) {
        ServerHttpResponse r = response;
        while (r instanceof ServerHttpResponseDecorator decorator) {
            r = decorator.getDelegate();
        }
        return r instanceof AbstractServerHttpResponse a && a.getNativeResponse() instanceof HttpServerResponse n
                ? n : null;
    }
}
