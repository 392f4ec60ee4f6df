package dev.meshgate.proxy.authz;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;

import dev.meshgate.core.security.ExtAuthzHttp;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/**
 * Calls a CUSTOM policy's {@code envoyExtAuthzHttp} provider as Envoy's HTTP ext_authz does: the request's method,
 * {@code pathPrefix} + path and query, its Host, {@code Content-Length: 0} and no body, the headers
 * {@code includeRequestHeadersInCheck} names and {@code includeAdditionalHeadersInCheck}. A 2xx answer allows; any
 * other answer is the denial (its status, body and {@code headersToDownstreamOnDeny}); no answer in time is
 * {@code statusOnError}, or allows when {@code failOpen}.
 */
final class ExtAuthzClient {

    private static final Set<String> NOT_FORWARDED = Set.of("host", "content-length", "transfer-encoding",
            "connection", "keep-alive");

    private final ExtAuthzHttp provider;
    private final List<String> addresses;
    private final HttpClient client;
    private final AtomicInteger next = new AtomicInteger();

    /** The authorizer's answer: allowed (with headers for the upstream and the client), or the denial. */
    record Answer(boolean allowed, int status, HttpHeaders headers, byte[] body) {
    }

    ExtAuthzClient(ExtAuthzHttp provider, List<String> addresses, HttpClient client) {
        this.provider = provider;
        this.addresses = List.copyOf(addresses);
        this.client = client.responseTimeout(Duration.ofMillis(provider.timeoutMillis()));
    }

    Mono<Answer> check(ServerHttpRequest request) {
        String address = addresses.get(Math.floorMod(next.getAndIncrement(), addresses.size()));
        String query = request.getURI().getRawQuery();
        String uri = "http://" + address + provider.pathPrefix() + request.getURI().getRawPath()
                + (query == null ? "" : "?" + query);
        DefaultHttpHeaders headers = new DefaultHttpHeaders();
        String host = request.getHeaders().getFirst(HttpHeaders.HOST);
        if (host != null) {
            headers.set("host", host);
        }
        headers.set("content-length", "0");
        for (String name : provider.includeRequestHeadersInCheck()) {
            List<String> values = request.getHeaders().get(name);
            if (values != null && !NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT))) {
                headers.set(name, values);
            }
        }
        provider.includeAdditionalHeadersInCheck().forEach(headers::set);
        return client.headers(h -> h.set(headers))
                .request(HttpMethod.valueOf(request.getMethod().name()))
                .uri(uri)
                .responseSingle((response, body) -> body.asByteArray().defaultIfEmpty(new byte[0]).map(bytes -> {
                    HttpHeaders answerHeaders = new HttpHeaders();
                    response.responseHeaders().forEach(e -> answerHeaders.add(e.getKey(), e.getValue()));
                    int status = response.status().code();
                    return new Answer(status >= 200 && status < 300, status, answerHeaders, bytes);
                }))
                .timeout(Duration.ofMillis(provider.timeoutMillis()))
                .onErrorResume(error -> Mono.just(provider.failOpen()
                        ? new Answer(true, 200, new HttpHeaders(), new byte[0])
                        : new Answer(false, provider.statusOnError(), new HttpHeaders(), new byte[0])));
    }

    /** Headers to copy from an allowing answer into the upstream request. */
    List<String> headersToUpstreamOnAllow() {
        return provider.headersToUpstreamOnAllow();
    }

    /** Headers to copy from an allowing answer into the response. */
    List<String> headersToDownstreamOnAllow() {
        return provider.headersToDownstreamOnAllow();
    }

    /** Headers of a denial to pass to the client; empty: all of them but hop-by-hop and framing headers. */
    List<String> headersToDownstreamOnDeny() {
        return provider.headersToDownstreamOnDeny();
    }

    static boolean forwardable(String name) {
        return !NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT));
    }
}
