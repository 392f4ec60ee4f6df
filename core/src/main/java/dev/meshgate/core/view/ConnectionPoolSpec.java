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
 * @param tcp {@code tcp.tcpKeepalive} and {@code tcp.maxConnectionDuration}; null when neither is set
 */
public record ConnectionPoolSpec(int maxConnections, long connectTimeoutMillis, int http1MaxPendingRequests,
        int http2MaxRequests, int maxRequestsPerConnection, int maxRetries, long idleTimeoutMillis,
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable Http2Options http2,
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable TcpOptions tcp) {

    public static final ConnectionPoolSpec DEFAULT = new ConnectionPoolSpec(Integer.MAX_VALUE, 10_000,
            Integer.MAX_VALUE, Integer.MAX_VALUE, 0, Integer.MAX_VALUE, 3_600_000);

    public ConnectionPoolSpec {
        http2 = http2 == null || http2.equals(Http2Options.DEFAULT) ? null : http2;
        tcp = tcp == null || tcp.equals(TcpOptions.NONE) ? null : tcp;
    }

    /** A pool without {@code tcpKeepalive} and {@code maxConnectionDuration}. */
    public ConnectionPoolSpec(int maxConnections, long connectTimeoutMillis, int http1MaxPendingRequests,
            int http2MaxRequests, int maxRequestsPerConnection, int maxRetries, long idleTimeoutMillis,
            @Nullable Http2Options http2) {
        this(maxConnections, connectTimeoutMillis, http1MaxPendingRequests, http2MaxRequests,
                maxRequestsPerConnection, maxRetries, idleTimeoutMillis, http2, null);
    }

    /** {@code tcp.tcpKeepalive}: null when upstream connections are not kept alive by TCP probes. */
    public TcpOptions.@Nullable Keepalive keepalive() {
        return tcp == null ? null : tcp.keepalive();
    }

    /** {@code tcp.maxConnectionDuration} in ms: an upstream HTTP connection is not reused past it; 0 for none. */
    public long maxConnectionDurationMillis() {
        return tcp == null ? 0 : tcp.maxConnectionDurationMillis();
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
     * The TCP settings of a connection pool beyond limits and timeouts.
     *
     * @param keepalive {@code tcp.tcpKeepalive}: SO_KEEPALIVE on upstream connections; null when not set
     * @param maxConnectionDurationMillis {@code tcp.maxConnectionDuration}: 0 for none
     */
    public record TcpOptions(@JsonInclude(JsonInclude.Include.NON_NULL) @Nullable Keepalive keepalive,
            long maxConnectionDurationMillis) {

        public static final TcpOptions NONE = new TcpOptions(null, 0);

        /**
         * Istio's {@code TcpKeepalive}, each field 0 when unset (the operating system's default then, as in Envoy).
         *
         * @param probes unanswered probes before the connection is dropped ({@code TCP_KEEPCNT})
         * @param timeSeconds idle time before the first probe ({@code TCP_KEEPIDLE})
         * @param intervalSeconds time between probes ({@code TCP_KEEPINTVL})
         */
        public record Keepalive(int probes, int timeSeconds, int intervalSeconds) {
        }
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
