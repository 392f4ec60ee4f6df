package dev.meshgate.proxy.cluster;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import reactor.netty.http.client.HttpClient;

/**
 * How long a pooled connection took to connect (TCP, and the TLS handshake of a secured client), kept on the
 * channel until the first request on it reads it: the request timeline tells a try that waited for a new
 * connection from one that took a pooled one. Costs a channel attribute per connection, nothing per request but
 * one lookup.
 */
public final class ConnectTime {

    /** {channel created, connected - created}, in nanoseconds. */
    private static final AttributeKey<long[]> KEY = AttributeKey.valueOf("meshgate.connectTime");

    private ConnectTime() {
    }

    /** {@code client} recording the connect time of every connection it makes. */
    static HttpClient recorded(HttpClient client) {
        return client
                .doOnChannelInit((observer, channel, address) -> channel.attr(KEY).set(new long[] {System.nanoTime(), 0}))
                .doOnConnected(connection -> {
                    long[] times = connection.channel().attr(KEY).get();
                    if (times != null) {
                        times[1] = System.nanoTime() - times[0];
                    }
                });
    }

    /** The connect time of {@code channel} the first time a request asks; 0 afterwards, or when not recorded. */
    public static long takeFirstUse(Channel channel) {
        if (!channel.hasAttr(KEY)) {
            return 0;
        }
        long[] times = channel.attr(KEY).getAndSet(null);
        return times == null ? 0 : times[1];
    }
}
