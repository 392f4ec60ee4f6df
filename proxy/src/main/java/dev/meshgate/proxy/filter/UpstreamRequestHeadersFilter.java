package dev.meshgate.proxy.filter;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;

/**
 * The last word on the headers of the upstream request, as Envoy treats them: adds {@code x-request-id} (a
 * random UUID, also left in the exchange as {@link MeshExchangeAttributes#REQUEST_ID}) and
 * {@code x-forwarded-proto} when absent, and drops {@code proxy-connection}, the hop-by-hop header
 * explicit-proxy clients ({@code curl -x}) send. Done here, where Spring Cloud Gateway copies the headers
 * anyway, rather than with one more copy of the request; ordered last because Spring Cloud Gateway strips the
 * {@code x-forwarded-*} headers of requests from untrusted proxies just before this.
 */
public final class UpstreamRequestHeadersFilter implements HttpHeadersFilter, Ordered {

    public static final String REQUEST_ID = "x-request-id";
    public static final String FORWARDED_PROTO = "x-forwarded-proto";
    public static final String PROXY_CONNECTION = "proxy-connection";

    @Override
    public HttpHeaders filter(HttpHeaders input, ServerWebExchange exchange) {
        String requestId = input.getFirst(REQUEST_ID);
        boolean hasProto = input.containsHeader(FORWARDED_PROTO);
        boolean hasProxyConnection = input.containsHeader(PROXY_CONNECTION);
        if (requestId != null && hasProto && !hasProxyConnection) {
            exchange.getAttributes().put(MeshExchangeAttributes.REQUEST_ID, requestId);
            return input;
        }
        HttpHeaders headers = new HttpHeaders();
        headers.addAll(input);
        if (requestId == null) {
            requestId = randomUuid();
            headers.set(REQUEST_ID, requestId);
        }
        exchange.getAttributes().put(MeshExchangeAttributes.REQUEST_ID, requestId);
        if (!hasProto) {
            String scheme = exchange.getRequest().getURI().getScheme();
            headers.set(FORWARDED_PROTO, scheme == null ? "http" : scheme);
        }
        if (hasProxyConnection) {
            headers.remove(PROXY_CONNECTION);
        }
        return headers;
    }

    /** A version-4 UUID from ThreadLocalRandom: SecureRandom may block and is not needed for an id. */
    static String randomUuid() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long msb = (r.nextLong() & ~0xF000L) | 0x4000L;
        long lsb = (r.nextLong() & ~0xC000000000000000L) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
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
