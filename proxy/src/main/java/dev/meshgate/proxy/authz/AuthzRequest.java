package dev.meshgate.proxy.authz;

import java.net.InetSocketAddress;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;

import dev.meshgate.core.view.ListenerSpec;

/**
 * What authorization sees of one request: the attributes of Istio's policy language, read from the request and
 * its connection when a matcher asks for them.
 *
 * <p>{@code remote.ip} is Envoy's trusted client address. On a gateway (Envoy with {@code use_remote_address}) the
 * downstream connection's address, or with {@code numTrustedProxies: N > 0} the N-th {@code X-Forwarded-For} entry
 * from the right (the address the outermost trusted proxy saw), falling back to the connection's when the header has
 * fewer than N entries; on a sidecar's inbound listener (Envoy without {@code use_remote_address}, no trusted hops)
 * the rightmost {@code X-Forwarded-For} entry, else the connection's address.
 */
final class AuthzRequest {

    private final ServerHttpRequest request;
    private final ListenerSpec.Direction direction;
    private final int destinationPort;
    private final @Nullable PeerIdentity peer;
    private final @Nullable RequestAuth auth;
    private final int trustedProxies;
    private byte @Nullable [] remoteIp;

    /** @param trustedProxies a gateway's {@code numTrustedProxies} (0 on a sidecar) */
    AuthzRequest(ServerHttpRequest request, ListenerSpec.Direction direction, int destinationPort,
            @Nullable PeerIdentity peer, @Nullable RequestAuth auth, int trustedProxies) {
        this.request = request;
        this.direction = direction;
        this.destinationPort = destinationPort;
        this.peer = peer;
        this.auth = auth;
        this.trustedProxies = trustedProxies;
    }

    @Nullable PeerIdentity peer() {
        return peer;
    }

    @Nullable RequestAuth auth() {
        return auth;
    }

    String method() {
        return request.getMethod().name();
    }

    /** The path without query, normalized as routing sees it. */
    String path() {
        String path = request.getURI().getRawPath();
        return path == null || path.isEmpty() ? "/" : path;
    }

    @Nullable String authority() {
        return request.getHeaders().getFirst(HttpHeaders.HOST);
    }

    /** Every value of header {@code name} joined with commas (as Envoy's header matchers see them), or null. */
    @Nullable String header(String name) {
        List<String> values = request.getHeaders().get(name);
        if (values == null || values.isEmpty()) {
            return null;
        }
        return values.size() == 1 ? values.get(0) : String.join(",", values);
    }

    int destinationPort() {
        return destinationPort;
    }

    /** The SNI of the downstream TLS connection ({@code connection.sni}), or null. */
    @Nullable String sni() {
        return RequestedServerName.of(request);
    }

    byte @Nullable [] sourceIp() {
        return bytes(request.getRemoteAddress());
    }

    byte @Nullable [] destinationIp() {
        return bytes(request.getLocalAddress());
    }

    byte @Nullable [] remoteIp() {
        if (remoteIp == null) {
            // Envoy: with use_remote_address (a gateway) the connection's address counts as appended to the header,
            // so N trusted hops skip N-1 header entries; without it (a sidecar) the header's entries alone count.
            int fromRight = direction == ListenerSpec.Direction.GATEWAY ? trustedProxies - 1 : trustedProxies;
            remoteIp = fromRight >= 0 ? forwardedFor(fromRight) : null;
            if (remoteIp == null) {
                remoteIp = sourceIp();
            }
        }
        return remoteIp;
    }

    /** The {@code X-Forwarded-For} entry {@code fromRight} places from the right (0: the last), or null. */
    private byte @Nullable [] forwardedFor(int fromRight) {
        String xff = header("x-forwarded-for");
        if (xff == null) {
            return null;
        }
        int end = xff.length();
        for (int skipped = 0; skipped < fromRight; skipped++) {
            end = xff.lastIndexOf(',', end - 1);
            if (end < 0) {
                return null;
            }
        }
        int start = xff.lastIndexOf(',', end - 1) + 1;
        return IpLiteral.parse(xff.substring(start, end).strip());
    }

    private static byte @Nullable [] bytes(@Nullable InetSocketAddress address) {
        return address == null || address.getAddress() == null ? null : address.getAddress().getAddress();
    }
}
