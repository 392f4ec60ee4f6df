package dev.meshgate.proxy.stream;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;

import io.netty.handler.codec.http.HttpResponseStatus;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The size of a request's or a response's head as HTTP/1.1 carries it on the downstream connection: the request
 * line ({@code METHOD SP target SP version CRLF}) or the status line ({@code version SP code SP reason CRLF}), one
 * {@code name: value CRLF} per header field and the blank line. Read from Netty's own header map (the fields
 * as received, or as sent), iterated without copying a name or a value: one iterator per head.
 *
 * <p>Istio's {@code istio_request_bytes}/{@code istio_response_bytes} record the bytes of the stream on the
 * downstream wire (the stats filter reads Envoy's downstream bytes meter, {@code wireBytesReceived} and
 * {@code wireBytesSent}; before 1.18 the Wasm plugin recorded {@code request.total_size}, headers plus body).
 * For HTTP/1.1 with canonical {@code ": "} separators this head size plus the body is exactly that; chunked
 * framing and HTTP/2's HPACK compression are not modelled (an HTTP/2 head is counted as its HTTP/1.1 form).
 */
final class HeadBytes {

    private static final int CRLF = 2;
    private static final int SEPARATOR = 2; // ": "

    private HeadBytes() {
    }

    /** The request head's size (its header fields only when the request has no wire: a mock). */
    static long request(ServerHttpRequest request) {
        HttpServerRequest nettyRequest = nativeRequest(request);
        if (nettyRequest == null) {
            return fromSpring(request.getHeaders());
        }
        long line = nettyRequest.method().name().length() + 1 + nettyRequest.uri().length() + 1
                + nettyRequest.version().text().length() + CRLF;
        return line + fields(nettyRequest.requestHeaders()) + CRLF;
    }

    /** The response head's size as sent (its header fields only when the response has no wire: a mock). */
    static long response(ServerHttpResponse response) {
        HttpServerResponse nettyResponse = nativeResponse(response);
        if (nettyResponse == null) {
            return fromSpring(response.getHeaders());
        }
        HttpResponseStatus status = nettyResponse.status();
        long line = nettyResponse.version().text().length() + 1 + status.codeAsText().length() + 1
                + status.reasonPhrase().length() + CRLF;
        return line + fields(nettyResponse.responseHeaders()) + CRLF;
    }

    private static long fields(io.netty.handler.codec.http.HttpHeaders headers) {
        long size = 0;
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence(); it.hasNext();) {
            Map.Entry<CharSequence, CharSequence> field = it.next();
            size += field.getKey().length() + SEPARATOR + field.getValue().length() + CRLF;
        }
        return size;
    }

    /** Without a wire (a mock exchange): the fields only, as an estimate. */
    private static long fromSpring(HttpHeaders headers) {
        long[] size = {0};
        headers.forEach((String name, List<String> values) -> {
            for (String value : values) {
                size[0] += name.length() + SEPARATOR + value.length() + CRLF;
            }
        });
        return size[0];
    }

    /** The Netty request under Spring's decorators; null without a wire (a mock: the simulator, tests). */
    private static @Nullable HttpServerRequest nativeRequest(ServerHttpRequest request) {
        try {
            Object nativeRequest = ServerHttpRequestDecorator.getNativeRequest(request);
            return nativeRequest instanceof HttpServerRequest netty ? netty : null;
        } catch (IllegalArgumentException | IllegalStateException mock) {
            return null;
        }
    }

    /** The Netty response under Spring's decorators; null without a wire. */
    static @Nullable HttpServerResponse nativeResponse(ServerHttpResponse response) {
        try {
            Object nativeResponse = ServerHttpResponseDecorator.getNativeResponse(response);
            return nativeResponse instanceof HttpServerResponse netty ? netty : null;
        } catch (IllegalArgumentException | IllegalStateException mock) {
            return null;
        }
    }
}
