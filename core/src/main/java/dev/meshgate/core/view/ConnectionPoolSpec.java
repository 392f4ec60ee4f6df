package dev.meshgate.core.view;

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
 */
public record ConnectionPoolSpec(int maxConnections, long connectTimeoutMillis, int http1MaxPendingRequests,
        int http2MaxRequests, int maxRequestsPerConnection, int maxRetries, long idleTimeoutMillis) {

    public static final ConnectionPoolSpec DEFAULT = new ConnectionPoolSpec(Integer.MAX_VALUE, 10_000,
            Integer.MAX_VALUE, Integer.MAX_VALUE, 0, Integer.MAX_VALUE, 3_600_000);
}
