package dev.meshgate.proxy.filter;

import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;

/**
 * The last word on the headers of the upstream request, as Envoy treats them: sets {@code x-forwarded-proto}
 * when absent, and drops {@code proxy-connection}, the hop-by-hop header explicit-proxy clients ({@code curl -x})
 * send. Ordered last because Spring Cloud Gateway strips {@code x-forwarded-*} headers of requests from
 * untrusted proxies just before sending; the other {@code x-forwarded-*} headers are left to that policy.
 */
public final class UpstreamRequestHeadersFilter implements HttpHeadersFilter, Ordered {

    public static final String FORWARDED_PROTO = "x-forwarded-proto";
    public static final String PROXY_CONNECTION = "proxy-connection";

    @Override
    public HttpHeaders filter(HttpHeaders input, ServerWebExchange exchange) {
        boolean hasProto = input.containsHeader(FORWARDED_PROTO);
        boolean hasProxyConnection = input.containsHeader(PROXY_CONNECTION);
        if (hasProto && !hasProxyConnection) {
            return input;
        }
        HttpHeaders headers = new HttpHeaders();
        headers.addAll(input);
        if (!hasProto) {
            String scheme = exchange.getRequest().getURI().getScheme();
            headers.set(FORWARDED_PROTO, scheme == null ? "http" : scheme);
        }
        if (hasProxyConnection) {
            headers.remove(PROXY_CONNECTION);
        }
        return headers;
    }

    @Override
    public boolean supports(Type type) {
        return type == Type.REQUEST;
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
