package dev.meshgate.proxy.filter;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.AbstractServerHttpRequest;
import org.springframework.http.server.reactive.AbstractServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.AsciiString;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The Netty header maps behind a request's and a response's Spring headers, when nothing stands between: the
 * exchange's request and response are still the server's own (no filter mutated or decorated them). Read and
 * written through Netty, headers cost no case-insensitive name set and no string per name, which Spring 7's
 * {@link HttpHeaders} builds on every iteration (allocation of a request: docs/performance.md).
 */
public final class NativeHeaders {

    /** Spring's request over Reactor Netty; a mutated request is another class that keeps the same native request. */
    private static final @Nullable Class<?> REACTOR_REQUEST =
            load("org.springframework.http.server.reactive.ReactorServerHttpRequest");
    private static final @Nullable Class<?> REACTOR_RESPONSE =
            load("org.springframework.http.server.reactive.ReactorServerHttpResponse");

    private NativeHeaders() {
    }

    /** The decoded Netty headers behind {@code headers}, or null when they are not the server's request's own. */
    public static io.netty.handler.codec.http.@Nullable HttpHeaders request(HttpHeaders headers,
            ServerWebExchange exchange) {
        ServerHttpRequest request = exchange.getRequest();
        if (request.getClass() != REACTOR_REQUEST || request.getHeaders() != headers) {
            return null;
        }
        return ((AbstractServerHttpRequest) request).<HttpServerRequest>getNativeRequest().requestHeaders();
    }

    /**
     * The Netty headers the server writes {@code response} from (what its Spring headers write through to), or null
     * when the response is decorated.
     */
    public static io.netty.handler.codec.http.@Nullable HttpHeaders response(ServerHttpResponse response) {
        if (response.getClass() != REACTOR_RESPONSE) {
            return null;
        }
        return ((AbstractServerHttpResponse) response).<HttpServerResponse>getNativeResponse().responseHeaders();
    }

    /**
     * The first value of a request header. Read from the server's Netty map by a byte-string name (its hash made
     * once) when the request is the server's own; through Spring's headers otherwise (a mutated request).
     */
    public static @Nullable String first(ServerHttpRequest request, AsciiString name) {
        if (request.getClass() == REACTOR_REQUEST) {
            return ((AbstractServerHttpRequest) request).<HttpServerRequest>getNativeRequest().requestHeaders()
                    .get(name);
        }
        return request.getHeaders().getFirst(name.toString());
    }

    /** The first value of a response header, read as {@link #first(ServerHttpRequest, AsciiString)} reads. */
    public static @Nullable String first(ServerHttpResponse response, AsciiString name) {
        io.netty.handler.codec.http.HttpHeaders headers = response(response);
        return headers != null ? headers.get(name) : response.getHeaders().getFirst(name.toString());
    }

    /** The request's Content-Length, -1 when it has none (or an invalid one), as Spring's headers read it. */
    public static long contentLength(ServerHttpRequest request) {
        return parseLength(first(request, HttpHeaderNames.CONTENT_LENGTH));
    }

    /** The response's Content-Length, -1 when it has none (or an invalid one). */
    public static long contentLength(ServerHttpResponse response) {
        return parseLength(first(response, HttpHeaderNames.CONTENT_LENGTH));
    }

    /** The Content-Length of a Netty header map (an upstream response's), -1 when it has none or an invalid one. */
    public static long contentLength(io.netty.handler.codec.http.HttpHeaders headers) {
        return parseLength(headers.get(HttpHeaderNames.CONTENT_LENGTH));
    }

    private static long parseLength(@Nullable String value) {
        if (value == null) {
            return -1;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static @Nullable Class<?> load(String name) {
        try {
            return Class.forName(name, false, NativeHeaders.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
    }
}
