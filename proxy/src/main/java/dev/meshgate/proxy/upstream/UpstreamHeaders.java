package dev.meshgate.proxy.upstream;

import dev.meshgate.proxy.filter.NativeHeaders;
import dev.meshgate.proxy.filter.NettyBackedHttpHeaders;
import dev.meshgate.proxy.filter.UpstreamRequestHeadersFilter;
import dev.meshgate.proxy.stream.StreamInfo;
import dev.meshgate.proxy.telemetry.PeerMetadataExchange;
import org.jspecify.annotations.Nullable;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.cloud.gateway.filter.headers.RemoveHopByHopHeadersFilter;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * The headers of upstream requests and of the responses relayed from them. Request headers go through Spring
 * Cloud Gateway's {@link HttpHeadersFilter}s (hop-by-hop removal, forwarded headers, the mesh's own
 * {@code x-request-id}), once per request, not per try. Response headers are copied straight into the response
 * without the intermediate map Spring Cloud Gateway builds, dropping hop-by-hop headers; only when an
 * application adds response header filters of its own do they run.
 */
final class UpstreamHeaders {

    /** Content types whose every chunk is flushed at once (Spring Cloud Gateway's streaming media types). */
    private static final List<String> STREAMING = List.of("text/event-stream", "application/x-ndjson",
            "application/stream+json", "application/grpc");

    private final ObjectProvider<List<HttpHeadersFilter>> provider;
    private final @Nullable PeerMetadataExchange peerMetadata;
    private volatile List<HttpHeadersFilter> filters;
    private volatile List<HttpHeadersFilter> responseFilters;
    /** The mesh's filter when it is the only request filter (the proxies' own setup), else null. */
    private volatile @Nullable UpstreamRequestHeadersFilter meshOnly;

    UpstreamHeaders(ObjectProvider<List<HttpHeadersFilter>> provider, @Nullable PeerMetadataExchange peerMetadata) {
        this.provider = provider;
        this.peerMetadata = peerMetadata;
    }

    private List<HttpHeadersFilter> filters() {
        List<HttpHeadersFilter> f = filters;
        if (f == null) {
            f = provider.getIfAvailable(List::of);
            List<HttpHeadersFilter> request = f.stream()
                    .filter(filter -> filter.supports(HttpHeadersFilter.Type.REQUEST))
                    .toList();
            meshOnly = request.size() == 1 && request.get(0) instanceof UpstreamRequestHeadersFilter mesh ? mesh : null;
            responseFilters = f.stream()
                    .filter(filter -> filter.supports(HttpHeadersFilter.Type.RESPONSE))
                    .filter(filter -> !(filter instanceof RemoveHopByHopHeadersFilter))
                    .toList();
            filters = f;
        }
        return f;
    }

    /**
     * The headers of the upstream request, decided once per request and written by {@link #writeRequest} into each
     * try's request. When the mesh's filter is the only request filter and the request's headers are the ones the
     * server received, they are written from the received map into the try's own (the map Reactor Netty writes the
     * request from): one copy instead of two, the filter's map of its own (a map, its entries, the Spring headers
     * over it) left out.
     */
    UpstreamRequestHeadersFilter.Prepared forTries(ServerWebExchange exchange) {
        filters();
        UpstreamRequestHeadersFilter mesh = meshOnly;
        UpstreamRequestHeadersFilter.Prepared prepared = mesh == null ? null : mesh.prepare(exchange);
        return prepared != null ? prepared : UpstreamRequestHeadersFilter.Prepared.of(filtered(exchange));
    }

    /**
     * Writes a try's request headers into its request's map, replacing what Reactor Netty put there (its default
     * User-Agent and Accept, as {@code HttpClientRequest.headers(...)} replaces them), Host included: it is set per
     * try from the request's authority.
     */
    void writeRequest(UpstreamRequestHeadersFilter.Prepared headers, StreamInfo info, HttpHeaders target) {
        target.clear();
        headers.writeTo(target);
        if (peerMetadata != null) {
            peerMetadata.upstreamRequest(info, target);
        }
    }

    /** The headers of the upstream request, without Host (set per try from the request's authority). */
    HttpHeaders requestHeaders(ServerWebExchange exchange) {
        HttpHeaders headers = filtered(exchange);
        if (peerMetadata != null) {
            peerMetadata.upstreamRequest(StreamInfo.of(exchange), headers);
        }
        return headers;
    }

    /** The request's headers through the request filters, in a map of their own, without Host. */
    private HttpHeaders filtered(ServerWebExchange exchange) {
        org.springframework.http.HttpHeaders filtered = HttpHeadersFilter.filterRequest(filters(), exchange);
        HttpHeaders headers;
        HttpHeaders received;
        if (filtered instanceof NettyBackedHttpHeaders own) {
            // Made for this request by the mesh's header filter (always, when the request is traced): sent as it
            // is, without a copy.
            headers = own.netty();
        } else if ((received = NativeHeaders.request(filtered, exchange)) != null) {
            // The request's headers as received (the mesh's headers present, no trace): Netty map to Netty map.
            headers = new DefaultHttpHeaders().add(received);
        } else {
            headers = new DefaultHttpHeaders();
            filtered.forEach(headers::add);
        }
        headers.remove(HttpHeaderNames.HOST);
        return headers;
    }

    /** Copies the upstream response's end-to-end headers into the exchange's response. */
    void copyResponseHeaders(HttpHeaders upstream, ServerWebExchange exchange, StreamInfo info) {
        if (peerMetadata == null) {
            copy(upstream, exchange);
            return;
        }
        peerMetadata.upstreamResponse(info, upstream);
        copy(upstream, exchange);
        peerMetadata.responseCopied(info, exchange);
    }

    private void copy(HttpHeaders upstream, ServerWebExchange exchange) {
        filters();
        ServerHttpResponse response = exchange.getResponse();
        if (!responseFilters.isEmpty()) {
            org.springframework.http.HttpHeaders copy = new org.springframework.http.HttpHeaders();
            upstream.forEach(e -> copy.add(e.getKey(), e.getValue()));
            response.getHeaders().addAll(HttpHeadersFilter.filter(filters, copy, exchange, HttpHeadersFilter.Type.RESPONSE));
            return;
        }
        HttpHeaders nativeTarget = NativeHeaders.response(response);
        if (nativeTarget != null) {
            // Netty map to Netty map: no string per name and value, no Spring adapter per header.
            for (Iterator<Map.Entry<CharSequence, CharSequence>> it = upstream.iteratorCharSequence(); it.hasNext();) {
                Map.Entry<CharSequence, CharSequence> e = it.next();
                if (!UpstreamRequestHeadersFilter.isHopByHop(e.getKey())) {
                    nativeTarget.add(e.getKey(), e.getValue());
                }
            }
            return;
        }
        org.springframework.http.HttpHeaders target = response.getHeaders();
        upstream.forEach(e -> {
            if (!UpstreamRequestHeadersFilter.isHopByHop(e.getKey())) {
                target.add(e.getKey(), e.getValue());
            }
        });
    }

    /** Whether a response of this content type is flushed chunk by chunk. */
    boolean isStreaming(ServerHttpResponse response) {
        String type = NativeHeaders.first(response, HttpHeaderNames.CONTENT_TYPE);
        if (type == null) {
            return false;
        }
        for (int i = 0; i < STREAMING.size(); i++) {
            String s = STREAMING.get(i);
            if (type.regionMatches(true, 0, s, 0, s.length())) {
                return true;
            }
        }
        return false;
    }
}
