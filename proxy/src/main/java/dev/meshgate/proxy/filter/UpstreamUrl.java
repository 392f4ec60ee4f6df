package dev.meshgate.proxy.filter;

import java.net.URI;

import org.springframework.http.server.reactive.ServerHttpRequest;

/** Builds the URL a request is forwarded to: {@code http://host:port} plus the request's raw path and query. */
final class UpstreamUrl {

    private UpstreamUrl() {
    }

    static URI of(String hostPort, ServerHttpRequest request) {
        URI uri = request.getURI();
        String path = uri.getRawPath();
        String query = uri.getRawQuery();
        StringBuilder sb = new StringBuilder(7 + hostPort.length() + path.length() + (query == null ? 0 : query.length() + 1));
        sb.append("http://").append(hostPort).append(path.isEmpty() ? "/" : path);
        if (query != null) {
            sb.append('?').append(query);
        }
        return URI.create(sb.toString());
    }
}
