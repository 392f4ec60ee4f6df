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
 * <p>{@code remote.ip}: on a gateway (Envoy with {@code use_remote_address} and Istio's default
 * {@code numTrustedProxies: 0}) the downstream connection's address; on a sidecar's inbound listener the rightmost
 * {@code X-Forwarded-For} address when there is one (Envoy without {@code use_remote_address}), else the connection's.
 */
final class AuthzRequest {

    private final ServerHttpRequest request;
    private final ListenerSpec.Direction direction;
    private final int destinationPort;
    private final @Nullable PeerIdentity peer;
    private final @Nullable RequestAuth auth;
    private byte @Nullable [] remoteIp;

    AuthzRequest(ServerHttpRequest request, ListenerSpec.Direction direction, int destinationPort,
            @Nullable PeerIdentity peer, @Nullable RequestAuth auth) {
        this.request = request;
        this.direction = direction;
        this.destinationPort = destinationPort;
        this.peer = peer;
        this.auth = auth;
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

    byte @Nullable [] sourceIp() {
        return bytes(request.getRemoteAddress());
    }

    byte @Nullable [] destinationIp() {
        return bytes(request.getLocalAddress());
    }

    byte @Nullable [] remoteIp() {
        if (remoteIp == null) {
            remoteIp = direction == ListenerSpec.Direction.INBOUND ? forwardedFor() : null;
            if (remoteIp == null) {
                remoteIp = sourceIp();
            }
        }
        return remoteIp;
    }

    private byte @Nullable [] forwardedFor() {
        String xff = header("x-forwarded-for");
        if (xff == null) {
            return null;
        }
        String last = xff.substring(xff.lastIndexOf(',') + 1).strip();
        return IpLiteral.parse(last);
    }

    private static byte @Nullable [] bytes(@Nullable InetSocketAddress address) {
        return address == null || address.getAddress() == null ? null : address.getAddress().getAddress();
    }
}
