package dev.meshgate.proxy.filter;

import java.net.URI;

import org.jspecify.annotations.Nullable;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;

import reactor.core.publisher.Mono;

import dev.meshgate.core.view.RouteSpec.RedirectAction;

/**
 * Implements {@code VirtualService.spec.http[].redirect}: answers with {@code redirectCode} (301 by default)
 * and a Location made of the request's URL with {@code uri} (the path), {@code authority}, {@code scheme} and
 * {@code port} replaced when given. The query string is kept, as Envoy keeps it.
 */
public final class RedirectGatewayFilter implements GatewayFilter, Ordered {

    private final RedirectAction redirect;
    private final HttpStatusCode status;

    public RedirectGatewayFilter(RedirectAction redirect) {
        this.redirect = redirect;
        this.status = HttpStatusCode.valueOf(redirect.code() == 0 ? 301 : redirect.code());
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(status);
        response.getHeaders().set(HttpHeaders.LOCATION, location(exchange));
        return response.setComplete();
    }

    String location(ServerWebExchange exchange) {
        URI requestUri = exchange.getRequest().getURI();
        String scheme = redirect.scheme() != null ? redirect.scheme() : requestUri.getScheme();
        String hostHeader = exchange.getRequest().getHeaders().getFirst(HttpHeaders.HOST);
        String authority = redirect.authority() != null ? redirect.authority()
                : hostHeader != null ? hostHeader : requestUri.getRawAuthority();
        if (redirect.port() != null) {
            authority = stripPort(authority) + portSuffix(scheme, redirect.port());
        } else if (redirect.scheme() != null && redirect.authority() == null) {
            // A scheme change alone drops a port that belonged to the old scheme's default.
            authority = stripPort(authority);
        }
        String path = redirect.uri() != null ? redirect.uri() : requestUri.getRawPath();
        String query = requestUri.getRawQuery();
        return scheme + "://" + authority + path + (query == null ? "" : "?" + query);
    }

    private static String portSuffix(String scheme, int port) {
        boolean defaultPort = ("http".equals(scheme) && port == 80) || ("https".equals(scheme) && port == 443);
        return defaultPort ? "" : ":" + port;
    }

    private static String stripPort(@Nullable String authority) {
        if (authority == null) {
            return "";
        }
        int colon = authority.lastIndexOf(':');
        return colon > 0 && authority.indexOf(']', colon) < 0 ? authority.substring(0, colon) : authority;
    }

    @Override
    public int getOrder() {
        return MeshFilterOrder.ANSWER;
    }

    @Override
    public String toString() {
        return "Redirect[" + redirect + "]";
    }
}
