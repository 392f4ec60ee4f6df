package dev.meshgate.proxy.filter;

import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;

/**
 * Sets {@code x-forwarded-proto} on the upstream request when absent, as Envoy does. It is a headers filter
 * ordered last because Spring Cloud Gateway strips the {@code x-forwarded-*} headers of requests from untrusted
 * proxies just before sending; the other {@code x-forwarded-*} headers are left to that policy.
 */
public final class ForwardedProtoHeadersFilter implements HttpHeadersFilter, Ordered {

    public static final String FORWARDED_PROTO = "x-forwarded-proto";

    @Override
    public HttpHeaders filter(HttpHeaders input, ServerWebExchange exchange) {
        if (input.containsHeader(FORWARDED_PROTO)) {
            return input;
        }
        String scheme = exchange.getRequest().getURI().getScheme();
        HttpHeaders headers = new HttpHeaders();
        headers.addAll(input);
        headers.set(FORWARDED_PROTO, scheme == null ? "http" : scheme);
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
