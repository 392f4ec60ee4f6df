package dev.meshgate.proxy.loadbalancer;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpCookie;
import org.springframework.http.ResponseCookie;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;

import dev.meshgate.core.view.LoadBalancerSpec.Algorithm;
import dev.meshgate.core.view.LoadBalancerSpec.ConsistentHashSpec;
import dev.meshgate.core.view.LoadBalancerSpec.HashKey;

/**
 * Istio's {@code loadBalancer.consistentHash}: the endpoint is chosen by hashing a request key (a header, a cookie,
 * the source IP or a query parameter) on a ring hash or Maglev table built once for the cluster runtime, so the
 * same key keeps reaching the same endpoint while the endpoints stay the same.
 *
 * <p>A request without its key is spread at random over the eligible endpoints, as Envoy does when a hash policy
 * yields no hash. The cookie key is the exception: when the cookie is absent the proxy generates one (Envoy does
 * when the policy has a ttl, which Istio always sets), hashes on it, and sets it on the response with
 * {@code Set-Cookie: <name>=<value>; Path=<path>; Max-Age=<ttl>; HttpOnly} (no Max-Age when the ttl is 0: a
 * session cookie), so the client's next requests pin to the same endpoint. Envoy derives the value from the
 * downstream connection's addresses; meshgate draws it at random, because every local client reaches its sidecar
 * from 127.0.0.1 and address-derived values would pin every client to one endpoint. Retries of the same request
 * reuse the generated value.
 */
final class ConsistentHashLoadBalancer implements LoadBalancer {

    /** Exchange attribute holding the cookie value generated for this request. */
    static final String GENERATED_COOKIE = ConsistentHashLoadBalancer.class.getName() + ".generatedCookie";

    private final ConsistentHashSpec spec;
    private final HashTable table;
    private final LbEndpoint[] endpoints;

    private ConsistentHashLoadBalancer(ConsistentHashSpec spec, HashTable table, LbEndpoint[] endpoints) {
        this.spec = spec;
        this.table = table;
        this.endpoints = endpoints;
    }

    static ConsistentHashLoadBalancer of(ConsistentHashSpec spec, List<LbEndpoint> endpoints) {
        HashTable table = spec.algorithm() == Algorithm.MAGLEV
                ? MaglevTable.of(endpoints, spec.tableSize() > 0 ? spec.tableSize() : 65537)
                : RingHashTable.of(endpoints, spec.tableSize() > 0 ? spec.tableSize() : 1024);
        return new ConsistentHashLoadBalancer(spec, table, endpoints.toArray(LbEndpoint[]::new));
    }

    @Override
    public @Nullable LbEndpoint choose(ServerWebExchange exchange, List<LbEndpoint> excluded, boolean includeEjected) {
        if (endpoints.length == 0) {
            return null;
        }
        long hash = hash(exchange);
        LbEndpoint endpoint = table.pick(hash, excluded, includeEjected);
        if (endpoint != null) {
            return endpoint;
        }
        int start = (int) Long.remainderUnsigned(hash, endpoints.length);
        for (int k = 0; k < endpoints.length; k++) {
            LbEndpoint e = endpoints[(start + k) % endpoints.length];
            if (LoadBalancer.eligible(e, excluded, includeEjected)) {
                return e;
            }
        }
        return null;
    }

    private long hash(ServerWebExchange exchange) {
        ServerHttpRequest request = exchange.getRequest();
        String name = spec.name();
        String key = switch (spec.key()) {
            case HEADER -> name == null ? null : request.getHeaders().getFirst(name);
            case QUERY_PARAMETER -> name == null ? null : request.getQueryParams().getFirst(name);
            case COOKIE -> name == null ? null : cookie(exchange, name);
            case SOURCE_IP -> null;
        };
        if (key != null) {
            return KeyHash.of(key);
        }
        if (spec.key() == HashKey.SOURCE_IP) {
            InetSocketAddress remote = request.getRemoteAddress();
            InetAddress address = remote == null ? null : remote.getAddress();
            if (address != null) {
                return KeyHash.mix(address.hashCode() ^ ((long) address.getAddress().length << 32));
            }
        }
        return ThreadLocalRandom.current().nextLong();
    }

    private @Nullable String cookie(ServerWebExchange exchange, String name) {
        HttpCookie cookie = exchange.getRequest().getCookies().getFirst(name);
        if (cookie != null && !cookie.getValue().isEmpty()) {
            return cookie.getValue();
        }
        String generated = exchange.getAttribute(GENERATED_COOKIE);
        if (generated != null) {
            return generated;
        }
        generated = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        exchange.getAttributes().put(GENERATED_COOKIE, generated);
        ResponseCookie.ResponseCookieBuilder builder = ResponseCookie.from(name, generated).httpOnly(true);
        if (spec.cookiePath() != null && !spec.cookiePath().isEmpty()) {
            builder.path(spec.cookiePath());
        }
        if (spec.cookieTtlMillis() > 0) {
            builder.maxAge(Math.max(1, Duration.ofMillis(spec.cookieTtlMillis()).toSeconds()));
        }
        exchange.getResponse().addCookie(builder.build());
        return generated;
    }
}
