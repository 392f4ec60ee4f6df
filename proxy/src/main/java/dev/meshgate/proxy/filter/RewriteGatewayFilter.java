package dev.meshgate.proxy.filter;

import org.jspecify.annotations.Nullable;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;

import reactor.core.publisher.Mono;

import dev.meshgate.core.view.RouteSpec.RewriteSpec;
import dev.meshgate.proxy.stream.StreamInfo;

/**
 * Implements {@code VirtualService.spec.http[].rewrite} ({@code uri}, {@code authority}). Istio translates
 * {@code rewrite.uri} into Envoy's {@code prefix_rewrite}, which swaps the part of the path the route matched:
 * the prefix of a {@code prefix} match, the whole path of an {@code exact} or {@code regex} match, and {@code /}
 * when the match has no {@code uri} (Istio gives such a route the prefix {@code /}, so {@code /a} rewritten to
 * {@code /v1} becomes {@code /v1a}). The two sides are concatenated as they are ({@code /api} rewritten to
 * {@code /} turns {@code /api/x} into {@code //x}, as Envoy does); the query is kept. An authority rewrite
 * replaces the Host header the upstream sees. {@code uriRegexRewrite} is not supported.
 */
public final class RewriteGatewayFilter implements GatewayFilter, Ordered {

    private final @Nullable String uri;
    private final @Nullable String authority;

    public RewriteGatewayFilter(RewriteSpec spec) {
        this.uri = spec.uri();
        this.authority = spec.authority();
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        ServerHttpRequest.Builder builder = exchange.getRequest().mutate();
        if (uri != null) {
            ServerWebExchangeUtils.addOriginalRequestUrl(exchange, exchange.getRequest().getURI());
            builder.path(rewritePath(exchange.getRequest().getURI().getRawPath(),
                    StreamInfo.of(exchange).matchedUriPrefix()));
        }
        if (authority != null) {
            builder.headers(h -> h.set(HttpHeaders.HOST, authority));
        }
        if (uri != null) {
            // Envoy records the path and query it rewrote in x-envoy-original-path, for the upstream and its logs.
            builder.header(UpstreamRequestHeadersFilter.ORIGINAL_PATH, UpstreamUrl.pathAndQuery(exchange.getRequest()));
        }
        return chain.filter(exchange.mutate().request(builder.build()).build());
    }

    /**
     * The rewritten path.
     *
     * @param matchedPrefix the literal prefix the route matched on ({@code /} for a match without uri), or null
     *     when the match covered the whole path (exact, regex)
     */
    String rewritePath(String path, @Nullable String matchedPrefix) {
        if (matchedPrefix == null) {
            return uri;
        }
        String rewritten = uri + path.substring(Math.min(matchedPrefix.length(), path.length()));
        return rewritten.isEmpty() ? "/" : rewritten;
    }

    @Override
    public int getOrder() {
        return MeshFilterOrder.REWRITE;
    }

    @Override
    public String toString() {
        return "Rewrite[uri=" + uri + ", authority=" + authority + "]";
    }
}
