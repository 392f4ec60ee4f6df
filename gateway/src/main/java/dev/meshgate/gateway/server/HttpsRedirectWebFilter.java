package dev.meshgate.gateway.server;

import java.net.InetSocketAddress;
import java.net.URI;

import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;

import reactor.core.publisher.Mono;

import dev.meshgate.proxy.server.MeshWebFilter;

/**
 * Implements {@code Gateway.spec.servers[].tls.httpsRedirect}: a plain text request to a host of such a server gets
 * a 301 to the same authority and path over https, as Envoy's {@code require_tls: ALL} answers it (the
 * {@code Host} kept as sent, port included), before any route is looked up.
 */
public final class HttpsRedirectWebFilter extends MeshWebFilter {

    private final GatewayListeners listeners;

    public HttpsRedirectWebFilter(GatewayListeners listeners) {
        this.listeners = listeners;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        ServerHttpRequest request = exchange.getRequest();
        InetSocketAddress local = request.getLocalAddress();
        String authority = request.getHeaders().getFirst(HttpHeaders.HOST);
        if (local == null || authority == null || request.getSslInfo() != null
                || !listeners.redirectsToHttps(local.getPort(), hostOf(authority))) {
            return chain.filter(exchange);
        }
        String path = request.getURI().getRawPath();
        String query = request.getURI().getRawQuery();
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(HttpStatus.MOVED_PERMANENTLY);
        response.getHeaders().setLocation(URI.create("https://" + authority + (path == null || path.isEmpty() ? "/"
                : path) + (query == null ? "" : "?" + query)));
        return response.setComplete();
    }

    /** The host of an authority, without its port (an IPv6 literal keeps its brackets). */
    static String hostOf(String authority) {
        int colon = authority.lastIndexOf(':');
        if (colon > authority.lastIndexOf(']')) {
            return authority.substring(0, colon);
        }
        return authority;
    }

    @Override
    public int getOrder() {
        // After StreamInfoWebFilter (+10) and TracingWebFilter (+20), so the redirect is logged and traced; before
        // path normalization (+50), authorization (+60) and routing.
        return Ordered.HIGHEST_PRECEDENCE + 30;
    }
}
