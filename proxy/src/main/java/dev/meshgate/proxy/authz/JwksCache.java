package dev.meshgate.proxy.authz;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.nimbusds.jose.jwk.JWKSet;

import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/**
 * The key sets of {@code jwksUri}s, fetched without blocking (reactor-netty), each with its rule's timeout, shared
 * by every view (a push does not refetch), and refreshed in the background once older than the refresh interval.
 * A failed fetch or refresh keeps the keys already cached: a JWKS outage does not reject tokens the last good keys
 * verify. Concurrent requests for a set not cached yet share one fetch.
 */
public final class JwksCache {

    private static final Logger log = LoggerFactory.getLogger(JwksCache.class);

    private final HttpClient client;
    private final Duration refreshInterval;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    public JwksCache(Duration refreshInterval) {
        if (refreshInterval.isNegative() || refreshInterval.isZero()) {
            throw new IllegalArgumentException("refreshInterval: " + refreshInterval + " (expected: > 0)");
        }
        this.client = HttpClient.create();
        this.refreshInterval = refreshInterval;
    }

    private static final class Entry {
        volatile @Nullable JWKSet keys;
        volatile long fetchedAtNanos;
        volatile @Nullable Mono<JWKSet> inflight;
    }

    /** The keys of {@code uri}: the cached ones at once (a stale set triggers a refresh), else one fetch. */
    Mono<JWKSet> keys(String uri, Duration timeout) {
        Entry entry = entries.computeIfAbsent(uri, u -> new Entry());
        JWKSet cached = entry.keys;
        if (cached != null) {
            if (System.nanoTime() - entry.fetchedAtNanos > refreshInterval.toNanos()) {
                fetch(uri, timeout, entry).subscribe(keys -> { }, error -> { });
            }
            return Mono.just(cached);
        }
        return fetch(uri, timeout, entry);
    }

    private synchronized Mono<JWKSet> fetch(String uri, Duration timeout, Entry entry) {
        Mono<JWKSet> running = entry.inflight;
        if (running != null) {
            return running;
        }
        Mono<JWKSet> fetch = client.responseTimeout(timeout).get().uri(uri)
                .responseSingle((response, body) -> response.status().code() == 200 ? body.asString()
                        : Mono.error(new IllegalStateException("status " + response.status().code())))
                .timeout(timeout)
                .map(text -> {
                    try {
                        return JWKSet.parse(text);
                    } catch (java.text.ParseException e) {
                        throw new IllegalStateException("not a JSON Web Key Set: " + e.getMessage());
                    }
                })
                .doOnNext(keys -> {
                    entry.keys = keys;
                    entry.fetchedAtNanos = System.nanoTime();
                })
                .doOnError(error -> {
                    // keep what is cached; try again at the next request after the interval (or now if none)
                    entry.fetchedAtNanos = System.nanoTime();
                    log.warn("JWKS fetch from {} failed ({}); {}", uri, error.toString(),
                            entry.keys == null ? "no keys cached" : "keeping the cached keys");
                })
                .doFinally(signal -> entry.inflight = null)
                .cache();
        entry.inflight = fetch;
        return fetch;
    }
}
