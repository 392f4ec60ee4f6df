package dev.meshgate.core.translate.cluster;

import org.jspecify.annotations.Nullable;

import dev.meshgate.core.networking.Durations;
import dev.meshgate.core.networking.destinationrule.ConnectionPoolSettings;
import dev.meshgate.core.view.ConnectionPoolSpec;

/**
 * Implements {@code trafficPolicy.connectionPool}: {@code tcp.maxConnections}, {@code tcp.connectTimeout},
 * {@code tcp.idleTimeout} (used when {@code http.idleTimeout} is absent), {@code http.http1MaxPendingRequests},
 * {@code http.http2MaxRequests}, {@code http.maxRequestsPerConnection}, {@code http.maxRetries},
 * {@code http.idleTimeout}, {@code http.h2UpgradePolicy}, {@code http.useClientProtocol},
 * {@code http.maxConcurrentStreams}, as Istio's {@code applyConnectionPool} does: a count of 0 (or absent) keeps
 * the default ("unlimited", {@link ConnectionPoolSpec#DEFAULT}), an absent connect timeout is the mesh's 10 s.
 * {@code h2UpgradePolicy: DEFAULT} follows the mesh default, which is Istio's {@code DO_NOT_UPGRADE}.
 *
 * <p>Not supported (validation reports them): {@code tcp.maxConnectionDuration}, {@code tcp.tcpKeepalive}.
 */
public final class ConnectionPoolSettingsTranslator {

    private ConnectionPoolSettingsTranslator() {
    }

    /** The connection pool of a cluster; {@link ConnectionPoolSpec#DEFAULT} when {@code pool} is null. */
    public static ConnectionPoolSpec translate(@Nullable ConnectionPoolSettings pool) {
        ConnectionPoolSpec d = ConnectionPoolSpec.DEFAULT;
        if (pool == null) {
            return d;
        }
        ConnectionPoolSettings.TcpSettings tcp = pool.tcp();
        ConnectionPoolSettings.HttpSettings http = pool.http();
        int maxConnections = tcp == null ? d.maxConnections() : positive(tcp.maxConnections(), d.maxConnections());
        long connectTimeout = tcp == null ? d.connectTimeoutMillis()
                : positive(Durations.millis(tcp.connectTimeout(), 0), d.connectTimeoutMillis());
        long idleTimeout = d.idleTimeoutMillis();
        if (http != null && http.idleTimeout() != null) {
            idleTimeout = Durations.millis(http.idleTimeout(), idleTimeout);
        } else if (tcp != null && tcp.idleTimeout() != null) {
            // 0s is legal here and turns the idle timeout off, as in Istio
            idleTimeout = Durations.millis(tcp.idleTimeout(), idleTimeout);
        }
        if (http == null) {
            return new ConnectionPoolSpec(maxConnections, connectTimeout, d.http1MaxPendingRequests(),
                    d.http2MaxRequests(), d.maxRequestsPerConnection(), d.maxRetries(), idleTimeout);
        }
        return new ConnectionPoolSpec(maxConnections, connectTimeout,
                positive(http.http1MaxPendingRequests(), d.http1MaxPendingRequests()),
                positive(http.http2MaxRequests(), d.http2MaxRequests()),
                positive(http.maxRequestsPerConnection(), d.maxRequestsPerConnection()),
                positive(http.maxRetries(), d.maxRetries()), idleTimeout, new ConnectionPoolSpec.Http2Options(
                        http.h2UpgradePolicy() == ConnectionPoolSettings.HttpSettings.H2UpgradePolicy.UPGRADE,
                        Boolean.TRUE.equals(http.useClientProtocol()), positive(http.maxConcurrentStreams(), 0)));
    }

    private static int positive(@Nullable Integer value, int fallback) {
        return value == null || value <= 0 ? fallback : value;
    }

    private static long positive(long value, long fallback) {
        return value <= 0 ? fallback : value;
    }
}
