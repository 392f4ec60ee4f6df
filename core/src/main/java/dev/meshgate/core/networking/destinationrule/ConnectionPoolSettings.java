package dev.meshgate.core.networking.destinationrule;

import org.jspecify.annotations.Nullable;

/** Istio's {@code ConnectionPoolSettings}: limits on TCP connections and HTTP requests to a destination. */
public record ConnectionPoolSettings(@Nullable TcpSettings tcp, @Nullable HttpSettings http) {

    /**
     * Istio's {@code ConnectionPoolSettings.TCPSettings}; {@code connectTimeout}, {@code maxConnectionDuration}
     * and {@code idleTimeout} are durations.
     */
    public record TcpSettings(@Nullable Integer maxConnections, @Nullable String connectTimeout,
            @Nullable TcpKeepalive tcpKeepalive, @Nullable String maxConnectionDuration,
            @Nullable String idleTimeout) {

        /** Istio's {@code TCPSettings.TcpKeepalive}; {@code time} and {@code interval} are durations. */
        public record TcpKeepalive(@Nullable Integer probes, @Nullable String time, @Nullable String interval) {
        }
    }

    /** Istio's {@code ConnectionPoolSettings.HTTPSettings}; {@code idleTimeout} is a duration. */
    public record HttpSettings(@Nullable Integer http1MaxPendingRequests, @Nullable Integer http2MaxRequests,
            @Nullable Integer maxRequestsPerConnection, @Nullable Integer maxRetries, @Nullable String idleTimeout,
            @Nullable H2UpgradePolicy h2UpgradePolicy, @Nullable Boolean useClientProtocol,
            @Nullable Integer maxConcurrentStreams) {

        /** Istio's {@code HTTPSettings.H2UpgradePolicy}. */
        public enum H2UpgradePolicy {
            DEFAULT,
            DO_NOT_UPGRADE,
            UPGRADE
        }
    }
}
