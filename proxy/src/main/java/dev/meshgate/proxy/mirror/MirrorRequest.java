package dev.meshgate.proxy.mirror;

import java.util.Locale;
import java.util.Set;

import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;

/**
 * The copy of one request that its mirrors send: method, raw path and query, headers without hop-by-hop ones
 * and with the Host suffixed {@code -shadow}, and the (small, buffered) body. Built once per mirrored request
 * and shared by its mirrors; immutable once built.
 */
record MirrorRequest(HttpMethod method, String pathAndQuery, io.netty.handler.codec.http.HttpHeaders headers,
        byte[] body) {

    /** Headers that belong to one connection, not to the request (RFC 9110 7.6.1), plus what the client sets. */
    private static final Set<String> NOT_COPIED = Set.of("host", "content-length", "transfer-encoding",
            "connection", "keep-alive", "proxy-connection", "te", "trailer", "upgrade", "expect");

    static MirrorRequest of(ServerHttpRequest request, byte[] body) {
        HttpHeaders source = request.getHeaders();
        io.netty.handler.codec.http.HttpHeaders headers = new DefaultHttpHeaders();
        source.forEach((name, values) -> {
            if (!NOT_COPIED.contains(name.toLowerCase(Locale.ROOT))) {
                headers.add(name, values);
            }
        });
        // the one value of te that HTTP/2 allows, which gRPC servers expect
        if ("trailers".equalsIgnoreCase(source.getFirst("te"))) {
            headers.set(HttpHeaderNames.TE, "trailers");
        }
        String host = source.getFirst(HttpHeaders.HOST);
        if (host == null || host.isEmpty()) {
            host = request.getURI().getRawAuthority();
        }
        if (host != null && !host.isEmpty()) {
            headers.set(HttpHeaderNames.HOST, shadowHost(host));
        }
        if (body.length > 0) {
            headers.set(HttpHeaderNames.CONTENT_LENGTH, body.length);
        }
        String path = request.getURI().getRawPath();
        String query = request.getURI().getRawQuery();
        String pathAndQuery = (path == null || path.isEmpty() ? "/" : path) + (query == null ? "" : "?" + query);
        return new MirrorRequest(HttpMethod.valueOf(request.getMethod().name()), pathAndQuery, headers, body);
    }

    /**
     * Envoy's shadow authority: {@code -shadow} appended to the host, before the port if there is one
     * ({@code web:8080} becomes {@code web-shadow:8080}, {@code [::1]:80} becomes {@code [::1]-shadow:80}).
     */
    static String shadowHost(String authority) {
        int portStart = authority.lastIndexOf(':');
        int bracket = authority.lastIndexOf(']');
        if (portStart < 0 || portStart < bracket || (bracket < 0 && authority.indexOf(':') != portStart)) {
            return authority + "-shadow";
        }
        return authority.substring(0, portStart) + "-shadow" + authority.substring(portStart);
    }
}
