package dev.meshgate.proxy.filter;

import java.util.Set;

import org.springframework.cloud.gateway.filter.headers.RemoveHopByHopHeadersFilter;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;

/**
 * Drops the hop-by-hop headers of a relayed response, copying the headers only when there is one to drop. Spring
 * Cloud Gateway's {@link RemoveHopByHopHeadersFilter} copies every request's and every response's headers; the
 * request side is {@link UpstreamRequestHeadersFilter}'s. A subclass, so that code that relays responses itself
 * and drops hop-by-hop headers on its own (the mesh's upstream filter) still recognises it.
 */
public final class ResponseHopByHopHeadersFilter extends RemoveHopByHopHeadersFilter {

    @Override
    public HttpHeaders filter(HttpHeaders input, ServerWebExchange exchange) {
        Set<String> names = input.headerNames();
        boolean any = false;
        for (String name : names) {
            if (UpstreamRequestHeadersFilter.isHopByHop(name)) {
                any = true;
                break;
            }
        }
        if (!any) {
            return input;
        }
        HttpHeaders filtered = new HttpHeaders();
        for (String name : names) {
            if (!UpstreamRequestHeadersFilter.isHopByHop(name)) {
                filtered.addAll(name, input.get(name));
            }
        }
        return filtered;
    }

    @Override
    public boolean supports(Type type) {
        return type == Type.RESPONSE;
    }
}
