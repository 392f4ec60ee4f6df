package dev.meshgate.proxy.cors;

import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;

import reactor.core.publisher.Mono;

import dev.meshgate.core.view.CorsSpec;
import dev.meshgate.proxy.filter.MeshFilterOrder;
import dev.meshgate.proxy.predicate.StringMatcher;

/**
 * Implements {@code VirtualService.spec.http[].corsPolicy} as Envoy's CORS filter does. A request without
 * {@code Origin} is not a CORS request and passes untouched. A preflight ({@code OPTIONS} with {@code Origin}
 * and {@code Access-Control-Request-Method}) whose origin matches is answered here with 200 and
 * {@code Access-Control-Allow-Origin} (the request's origin), {@code -Allow-Methods}, {@code -Allow-Headers},
 * {@code -Max-Age} and {@code -Allow-Credentials} as configured, never reaching the upstream; one whose origin
 * does not match is forwarded ({@code unmatchedPreflights: FORWARD}, the default) or answered 200 without CORS
 * headers ({@code IGNORE}). Any other request whose origin matches gets {@code Access-Control-Allow-Origin},
 * {@code -Expose-Headers} and {@code -Allow-Credentials} on its response (replacing the upstream's own); a
 * non-matching origin gets no CORS headers from the proxy. Like Envoy, a preflight is answered with the
 * configured lists whatever method or headers it asks for: the browser compares. An origin match that accepts
 * the literal {@code *} accepts every origin (Envoy's rule); the allowed origin is always echoed, never {@code *}.
 */
public final class CorsGatewayFilter implements GatewayFilter, Ordered {

    private final StringMatcher[] allowOrigins;
    private final boolean anyOrigin;
    private final @Nullable String allowMethods;
    private final @Nullable String allowHeaders;
    private final @Nullable String exposeHeaders;
    private final @Nullable String maxAge;
    private final boolean allowCredentials;
    private final boolean forwardUnmatchedPreflights;

    private CorsGatewayFilter(StringMatcher[] allowOrigins, CorsSpec spec) {
        this.allowOrigins = allowOrigins;
        boolean any = false;
        for (StringMatcher matcher : allowOrigins) {
            // Envoy: an origin match that accepts the literal "*" accepts every origin.
            any |= matcher.matches("*");
        }
        this.anyOrigin = any;
        this.allowMethods = joined(spec.allowMethods());
        this.allowHeaders = joined(spec.allowHeaders());
        this.exposeHeaders = joined(spec.exposeHeaders());
        this.maxAge = spec.maxAgeSeconds() >= 0 ? Long.toString(spec.maxAgeSeconds()) : null;
        this.allowCredentials = Boolean.TRUE.equals(spec.allowCredentials());
        this.forwardUnmatchedPreflights = spec.forwardUnmatchedPreflights();
    }

    /**
     * Compiles a CORS policy: origin regexes (which {@code ProxyViewCheck} accepted) are compiled here, once.
     */
    public static CorsGatewayFilter of(CorsSpec spec) {
        StringMatcher[] origins = new StringMatcher[spec.allowOrigins().size()];
        for (int i = 0; i < origins.length; i++) {
            origins[i] = StringMatcher.of(spec.allowOrigins().get(i), false);
        }
        return new CorsGatewayFilter(origins, spec);
    }

    private static @Nullable String joined(List<String> values) {
        return values.isEmpty() ? null : String.join(",", values);
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        ServerHttpRequest request = exchange.getRequest();
        String origin = request.getHeaders().getFirst(HttpHeaders.ORIGIN);
        if (origin == null || origin.isEmpty()) {
            return chain.filter(exchange);
        }
        boolean allowed = allows(origin);
        if (HttpMethod.OPTIONS.equals(request.getMethod())
                && hasValue(request.getHeaders().getFirst(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD))) {
            if (allowed) {
                return answerPreflight(exchange.getResponse(), origin);
            }
            if (!forwardUnmatchedPreflights) {
                exchange.getResponse().setStatusCode(HttpStatus.OK);
                return exchange.getResponse().setComplete();
            }
            return chain.filter(exchange);
        }
        if (allowed) {
            ServerHttpResponse response = exchange.getResponse();
            response.beforeCommit(() -> {
                HttpHeaders headers = response.getHeaders();
                headers.set(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
                if (allowCredentials) {
                    headers.set(HttpHeaders.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
                }
                if (exposeHeaders != null) {
                    headers.set(HttpHeaders.ACCESS_CONTROL_EXPOSE_HEADERS, exposeHeaders);
                }
                return Mono.empty();
            });
        }
        return chain.filter(exchange);
    }

    private Mono<Void> answerPreflight(ServerHttpResponse response, String origin) {
        HttpHeaders headers = response.getHeaders();
        response.setStatusCode(HttpStatus.OK);
        headers.set(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        if (allowCredentials) {
            headers.set(HttpHeaders.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
        }
        if (allowMethods != null) {
            headers.set(HttpHeaders.ACCESS_CONTROL_ALLOW_METHODS, allowMethods);
        }
        if (allowHeaders != null) {
            headers.set(HttpHeaders.ACCESS_CONTROL_ALLOW_HEADERS, allowHeaders);
        }
        if (maxAge != null) {
            headers.set(HttpHeaders.ACCESS_CONTROL_MAX_AGE, maxAge);
        }
        return response.setComplete();
    }

    private boolean allows(String origin) {
        if (anyOrigin) {
            return true;
        }
        for (StringMatcher matcher : allowOrigins) {
            if (matcher.matches(origin)) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasValue(@Nullable String value) {
        return value != null && !value.isEmpty();
    }

    @Override
    public int getOrder() {
        return MeshFilterOrder.CORS;
    }

    @Override
    public String toString() {
        return "Cors[" + List.of(allowOrigins) + "]";
    }
}
