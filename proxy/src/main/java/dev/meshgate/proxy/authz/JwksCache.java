package dev.meshgate.proxy.authz;

import java.text.ParseException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.JSONObjectUtils;

import dev.meshgate.core.view.AuthRules;
import dev.meshgate.proxy.cluster.ClusterConnectionPool;

import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/**
 * The key sets of {@code jwksUri}s, and the {@code jwks_uri}s that issuers without one publish in their OpenID
 * configuration ({@code <issuer>/.well-known/openid-configuration}, as istiod resolves them), fetched without
 * blocking (reactor-netty), each with its rule's timeout, shared by every view (a push does not refetch), and
 * refreshed in the background once older than the refresh interval (istiod's 20 minutes by default). A failed
 * fetch or refresh keeps what is cached: a JWKS outage does not reject tokens the last good keys verify.
 * Concurrent requests for a value not cached yet share one fetch. A token whose key is not in the cached set may
 * trigger one refetch ({@link #refetch}), at most once per refetch interval per key set, so that a key rotated in
 * at the issuer is picked up without waiting for the refresh.
 */
public final class JwksCache {

    private static final Logger log = LoggerFactory.getLogger(JwksCache.class);
    private static final String DISCOVERY_PATH = "/.well-known/openid-configuration";

    private final HttpClient client;
    private final Duration refreshInterval;
    private final Duration refetchInterval;
    private final Map<String, Fetched<JWKSet>> keySets = new ConcurrentHashMap<>();
    private final Map<String, Fetched<String>> jwksUris = new ConcurrentHashMap<>();

    /**
     * @param refreshInterval age after which a cached value is refetched in the background
     * @param refetchInterval least time between two refetches of one key set for tokens whose key it lacks
     */
    public JwksCache(Duration refreshInterval, Duration refetchInterval) {
        if (refreshInterval.isNegative() || refreshInterval.isZero()) {
            throw new IllegalArgumentException("refreshInterval: " + refreshInterval + " (expected: > 0)");
        }
        if (refetchInterval.isNegative()) {
            throw new IllegalArgumentException("refetchInterval: " + refetchInterval + " (expected: >= 0)");
        }
        this.client = HttpClient.create();
        this.refreshInterval = refreshInterval;
        this.refetchInterval = refetchInterval;
    }

    /** One cached value with its refresh state. */
    private final class Fetched<T> {
        private final String url;
        private final Function<String, T> parse;
        volatile @Nullable T value;
        volatile long fetchedAtNanos;
        volatile long refetchedAtNanos;
        volatile boolean refetched;
        volatile @Nullable Mono<T> inflight;

        Fetched(String url, Function<String, T> parse) {
            this.url = url;
            this.parse = parse;
        }

        /** The cached value at once (a stale one triggers a refresh), else one fetch. */
        Mono<T> get(Duration timeout) {
            T cached = value;
            if (cached != null) {
                if (System.nanoTime() - fetchedAtNanos > refreshInterval.toNanos()) {
                    fetch(timeout).subscribe(v -> { }, error -> { });
                }
                return Mono.just(cached);
            }
            return fetch(timeout);
        }

        /** A fresh value, or empty when the last refetch was less than the refetch interval ago. */
        Mono<T> refetch(Duration timeout) {
            synchronized (this) {
                long now = System.nanoTime();
                if (refetched && now - refetchedAtNanos < refetchInterval.toNanos()) {
                    return Mono.empty();
                }
                refetched = true;
                refetchedAtNanos = now;
            }
            return fetch(timeout);
        }

        private synchronized Mono<T> fetch(Duration timeout) {
            Mono<T> running = inflight;
            if (running != null) {
                return running;
            }
            // A proxy prepares TLS only once something needs it: an https fetch, made on a request's event loop,
            // waits for that on a bounded-elastic thread (once per JVM; at once when done).
            Mono<Void> ready = url.regionMatches(true, 0, "https:", 0, 6) ? ClusterConnectionPool.tlsPrepared()
                    : Mono.empty();
            // The fetch stops being the one in flight before its subscribers see the result, so that a refetch they
            // ask for then starts a new fetch rather than replaying this one.
            Mono<T> fetch = ready.then(client.responseTimeout(timeout).get().uri(url)
                    .responseSingle((response, body) -> response.status().code() == 200 ? body.asString()
                            : Mono.error(new IllegalStateException("status " + response.status().code()))))
                    .timeout(timeout)
                    .map(parse)
                    .doOnNext(fetched -> {
                        value = fetched;
                        fetchedAtNanos = System.nanoTime();
                        done();
                    })
                    .doOnError(error -> {
                        // keep what is cached; try again at the next request after the interval (or now if none)
                        fetchedAtNanos = System.nanoTime();
                        done();
                        log.warn("Fetch of {} failed ({}); {}", url, error.toString(),
                                value == null ? "nothing cached" : "keeping the cached value");
                    })
                    .doOnCancel(this::done)
                    .cache();
            inflight = fetch;
            return fetch;
        }

        private synchronized void done() {
            inflight = null;
        }
    }

    /** The keys of {@code jwksUri}. */
    Mono<JWKSet> keys(String jwksUri, Duration timeout) {
        return keySet(jwksUri).get(timeout);
    }

    /** Refetches the keys of {@code jwksUri} unless it was refetched within the refetch interval (then empty). */
    Mono<JWKSet> refetch(String jwksUri, Duration timeout) {
        return keySet(jwksUri).refetch(timeout);
    }

    /** The {@code jwks_uri} of {@code issuer}'s OpenID configuration. */
    Mono<String> discover(String issuer, Duration timeout) {
        String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
        return jwksUris.computeIfAbsent(base + DISCOVERY_PATH, url -> new Fetched<>(url, JwksCache::jwksUri))
                .get(timeout);
    }

    private Fetched<JWKSet> keySet(String jwksUri) {
        return keySets.computeIfAbsent(jwksUri, url -> new Fetched<>(url, JwksCache::jwkSet));
    }

    private static JWKSet jwkSet(String text) {
        try {
            return JWKSet.parse(text);
        } catch (ParseException e) {
            throw new IllegalStateException("not a JSON Web Key Set: " + e.getMessage());
        }
    }

    private static String jwksUri(String text) {
        Object uri;
        try {
            uri = JSONObjectUtils.parse(text).get("jwks_uri");
        } catch (ParseException e) {
            throw new IllegalStateException("not an OpenID configuration: " + e.getMessage());
        }
        if (!(uri instanceof String jwksUri) || AuthRules.httpUrl(jwksUri) != null) {
            throw new IllegalStateException("OpenID configuration without a jwks_uri that is an http(s) URL: "
                    + uri);
        }
        return jwksUri;
    }
}
