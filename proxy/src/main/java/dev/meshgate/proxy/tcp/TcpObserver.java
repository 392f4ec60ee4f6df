package dev.meshgate.proxy.tcp;

import dev.meshgate.core.view.ClusterSpec;
import dev.meshgate.core.view.EndpointSpec;
import dev.meshgate.core.view.TcpListenerSpec;
import dev.meshgate.proxy.filter.ResponseFlag;

import io.netty.channel.Channel;

/** Sees the proxied TCP connections, for metrics: opened, bytes each way, closed, refused. Must not block. */
public interface TcpObserver {

    /** Observes nothing. */
    TcpObserver NONE = (listener, cluster, endpoint, downstream) -> Connection.NONE;

    /**
     * A connection accepted on {@code listener} and routed to {@code endpoint} of {@code cluster}, before its
     * upstream connects.
     */
    Connection opened(TcpListenerSpec listener, ClusterSpec cluster, EndpointSpec endpoint, Channel downstream);

    /**
     * A connection accepted on {@code listener} and closed at once, without an upstream: {@code flag} says why,
     * as Envoy's response flags do (NR: no route took it, Envoy's "no filter chain match"; UH: no healthy endpoint;
     * UO: {@code maxConnections} reached).
     */
    default void refused(TcpListenerSpec listener, ResponseFlag flag) {
    }

    /** One proxied connection. */
    interface Connection {

        Connection NONE = new Connection() {
        };

        /** Bytes read from the downstream peer (and sent upstream). */
        default void received(long bytes) {
        }

        /** Bytes read from the upstream peer (and sent downstream). */
        default void sent(long bytes) {
        }

        /** The connection is closed, both sides. Called once. */
        default void closed() {
        }
    }
}
