package dev.meshgate.proxy.server;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Limits of the proxy's HTTP edge, on every listener it serves ({@code meshgate.proxy.downstream.*}): the sidecar's
 * outbound and inbound listeners and a gateway's servers.
 *
 * @param maxRequestHeadersSize the largest request line plus headers a client may send (Envoy's
 *     {@code max_request_headers_kb}, 60 KiB); a larger request is answered 431 and the connection closed
 * @param requestHeadersTimeout how long a request's headers may take to arrive, counted from their first byte
 *     (Envoy's {@code request_headers_timeout}; Envoy has none by default, meshgate 10 s, so that a client
 *     trickling headers byte by byte, slowloris, cannot hold a connection); the connection is then closed
 * @param maxConnections the most client connections one listener keeps open at once (Envoy leaves this to its
 *     overload manager and has no limit unless one is configured; meshgate caps each listener at 10,000 so that
 *     a flood of connections exhausts neither file descriptors nor memory); a connection over the cap is closed
 *     as soon as it is accepted
 */
@ConfigurationProperties("meshgate.proxy.downstream")
public record DownstreamProperties(@DefaultValue("60KB") DataSize maxRequestHeadersSize,
        @DefaultValue("10s") Duration requestHeadersTimeout, @DefaultValue("10000") int maxConnections) {

    public DownstreamProperties {
        if (maxRequestHeadersSize.toBytes() <= 0 || maxRequestHeadersSize.toBytes() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "maxRequestHeadersSize: %s (expected: > 0 and < 2 GB)".formatted(maxRequestHeadersSize));
        }
        if (requestHeadersTimeout.isNegative() || requestHeadersTimeout.isZero()) {
            throw new IllegalArgumentException(
                    "requestHeadersTimeout: %s (expected: > 0)".formatted(requestHeadersTimeout));
        }
        if (maxConnections <= 0) {
            throw new IllegalArgumentException("maxConnections: %s (expected: > 0)".formatted(maxConnections));
        }
    }
}
