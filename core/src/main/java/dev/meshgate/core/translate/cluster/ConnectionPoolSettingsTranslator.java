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
 * Also {@code tcp.tcpKeepalive} (probes, time and interval, whole seconds as Envoy takes them; unset: the operating
 * system's) and {@code tcp.maxConnectionDuration} (Envoy's {@code max_connection_duration} of upstream HTTP
 * connections).
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
        ConnectionPoolSpec.TcpOptions options = tcp == null ? null : new ConnectionPoolSpec.TcpOptions(
                keepalive(tcp.tcpKeepalive()), Math.max(0, Durations.millis(tcp.maxConnectionDuration(), 0)));
        if (http == null) {
            return new ConnectionPoolSpec(maxConnections, connectTimeout, d.http1MaxPendingRequests(),
                    d.http2MaxRequests(), d.maxRequestsPerConnection(), d.maxRetries(), idleTimeout, null, options);
        }
        return new ConnectionPoolSpec(maxConnections, connectTimeout,
                positive(http.http1MaxPendingRequests(), d.http1MaxPendingRequests()),
                positive(http.http2MaxRequests(), d.http2MaxRequests()),
                positive(http.maxRequestsPerConnection(), d.maxRequestsPerConnection()),
                positive(http.maxRetries(), d.maxRetries()), idleTimeout, new ConnectionPoolSpec.Http2Options(
                        http.h2UpgradePolicy() == ConnectionPoolSettings.HttpSettings.H2UpgradePolicy.UPGRADE,
                        Boolean.TRUE.equals(http.useClientProtocol()), positive(http.maxConcurrentStreams(), 0)),
                options);
    }

    private static ConnectionPoolSpec.TcpOptions.@Nullable Keepalive keepalive(
            ConnectionPoolSettings.TcpSettings.@Nullable TcpKeepalive keepalive) {
        if (keepalive == null) {
            return null;
        }
        // Envoy's keepalive_time and keepalive_interval are whole seconds (pilot rounds down, at least 1 s when set)
        return new ConnectionPoolSpec.TcpOptions.Keepalive(keepalive.probes() == null ? 0 : keepalive.probes(),
                seconds(keepalive.time()), seconds(keepalive.interval()));
    }

    private static int seconds(@Nullable String duration) {
        long millis = Durations.millis(duration, 0);
        return millis <= 0 ? 0 : (int) Math.max(1, Math.min(Integer.MAX_VALUE, millis / 1000));
    }

    private static int positive(@Nullable Integer value, int fallback) {
        return value == null || value <= 0 ? fallback : value;
    }

    private static long positive(long value, long fallback) {
        return value <= 0 ? fallback : value;
    }
}
