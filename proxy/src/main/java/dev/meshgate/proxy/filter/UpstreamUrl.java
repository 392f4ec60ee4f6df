package dev.meshgate.proxy.filter;

import java.net.URI;

import org.springframework.http.server.reactive.ServerHttpRequest;

/** Builds the URL a request is forwarded to: {@code http://host:port} plus the request's raw path and query. */
public final class UpstreamUrl {

    private UpstreamUrl() {
    }

    public static URI of(String hostPort, ServerHttpRequest request) {
        return URI.create("http://" + hostPort + pathAndQuery(request));
    }

    /** The request's raw path ({@code /} when empty) and, when present, {@code ?} and its raw query. */
    public static String pathAndQuery(ServerHttpRequest request) {
        URI uri = request.getURI();
        String path = uri.getRawPath();
        String query = uri.getRawQuery();
        String p = path == null || path.isEmpty() ? "/" : path;
        return query == null ? p : p + '?' + query;
    }
}
