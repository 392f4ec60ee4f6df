package dev.meshgate.proxy.listener;

import java.net.InetSocketAddress;

import org.jspecify.annotations.Nullable;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import reactor.netty.Connection;

/**
 * Where the requests of a downstream connection go when its listener passes it through (Envoy's ORIGINAL_DST
 * cluster reading the connection's original destination): set on the connection's channel by the listener that
 * accepted it, before HTTP decoding, and read per request. Requests of HTTP/2 streams find it on their
 * connection's channel.
 */
public final class PassthroughTarget {

    private static final AttributeKey<InetSocketAddress> KEY = AttributeKey.valueOf("meshgate.passthroughTarget");

    private PassthroughTarget() {
    }

    /** Sends the requests of {@code connection} to {@code target}. */
    public static void set(Channel connection, InetSocketAddress target) {
        connection.attr(KEY).set(target);
    }

    /** The target of the connection {@code request} came on, or null (not passed through, or no wire: a mock). */
    public static @Nullable InetSocketAddress of(ServerHttpRequest request) {
        Object nativeRequest;
        try {
            nativeRequest = ServerHttpRequestDecorator.getNativeRequest(request);
        } catch (IllegalArgumentException | IllegalStateException mock) {
            return null;
        }
        if (!(nativeRequest instanceof Connection connection)) {
            return null;
        }
        Channel channel = connection.channel();
        InetSocketAddress target = channel.attr(KEY).get();
        if (target == null && channel.parent() != null) {
            target = channel.parent().attr(KEY).get();
        }
        return target;
    }
}
