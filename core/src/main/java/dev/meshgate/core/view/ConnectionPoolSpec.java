package dev.meshgate.core.view;

import org.jspecify.annotations.Nullable;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * {@code trafficPolicy.connectionPool}, compiled, with Istio's defaults filled in. {@link Integer#MAX_VALUE}
 * stands for Istio's "2^32-1" (unlimited).
 *
 * @param maxConnections {@code tcp.maxConnections}: connections to all endpoints of the cluster
 * @param connectTimeoutMillis {@code tcp.connectTimeout} (10 s by default)
 * @param http1MaxPendingRequests {@code http.http1MaxPendingRequests}: requests waiting for a connection;
 *     beyond it the proxy answers 503 UO at once
 * @param http2MaxRequests {@code http.http2MaxRequests}: requests in flight to the cluster; beyond it 503 UO
 * @param maxRequestsPerConnection {@code http.maxRequestsPerConnection}: 0 for unlimited
 * @param maxRetries {@code http.maxRetries}: retries in flight to the cluster at once
 * @param idleTimeoutMillis {@code http.idleTimeout} (else {@code tcp.idleTimeout}): an upstream connection idle
 *     this long is closed (1 h by default); 0 when {@code tcp.idleTimeout: 0s} turned it off (never closed for
 *     idleness)
 * @param http2 {@code http.h2UpgradePolicy}, {@code http.useClientProtocol} and {@code http.maxConcurrentStreams};
 *     null when all three are Istio's defaults
 */
public record ConnectionPoolSpec(int maxConnections, long connectTimeoutMillis, int http1MaxPendingRequests,
        int http2MaxRequests, int maxRequestsPerConnection, int maxRetries, long idleTimeoutMillis,
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable Http2Options http2) {

    public static final ConnectionPoolSpec DEFAULT = new ConnectionPoolSpec(Integer.MAX_VALUE, 10_000,
            Integer.MAX_VALUE, Integer.MAX_VALUE, 0, Integer.MAX_VALUE, 3_600_000);

    public ConnectionPoolSpec {
        http2 = http2 == null || http2.equals(Http2Options.DEFAULT) ? null : http2;
    }

    /** A pool without HTTP/2 settings (Istio's defaults: no upgrade, no client protocol, default streams). */
    public ConnectionPoolSpec(int maxConnections, long connectTimeoutMillis, int http1MaxPendingRequests,
            int http2MaxRequests, int maxRequestsPerConnection, int maxRetries, long idleTimeoutMillis) {
        this(maxConnections, connectTimeoutMillis, http1MaxPendingRequests, http2MaxRequests,
                maxRequestsPerConnection, maxRetries, idleTimeoutMillis, null);
    }

    /** {@code http.h2UpgradePolicy: UPGRADE}: an HTTP port of the cluster is spoken to in HTTP/2. */
    public boolean h2Upgrade() {
        return http2 != null && http2.h2Upgrade();
    }

    /** {@code http.useClientProtocol}: upstream requests keep the client's HTTP version. */
    public boolean useClientProtocol() {
        return http2 != null && http2.useClientProtocol();
    }

    /** {@code http.maxConcurrentStreams}: streams per HTTP/2 connection; 0 for what the upstream allows. */
    public int maxConcurrentStreams() {
        return http2 == null ? 0 : http2.maxConcurrentStreams();
    }

    /**
     * The HTTP/2 settings of a connection pool.
     *
     * @param h2Upgrade {@code http.h2UpgradePolicy: UPGRADE}
     * @param useClientProtocol {@code http.useClientProtocol} (which makes {@code h2UpgradePolicy} ineffective,
     *     as in Istio)
     * @param maxConcurrentStreams {@code http.maxConcurrentStreams}; 0 for the default
     */
    public record Http2Options(boolean h2Upgrade, boolean useClientProtocol, int maxConcurrentStreams) {

        public static final Http2Options DEFAULT = new Http2Options(false, false, 0);
    }
}
