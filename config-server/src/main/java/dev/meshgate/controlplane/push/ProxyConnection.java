package dev.meshgate.controlplane.push;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketSession;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * One proxy's WebSocket: the frames queued for it, and who it said it is. Frames are emitted from the push
 * thread only, so the unicast sink never sees concurrent emissions.
 */
final class ProxyConnection {

    private static final Logger log = LoggerFactory.getLogger(ProxyConnection.class);
    private static final AtomicLong IDS = new AtomicLong();

    private final long serial = IDS.incrementAndGet();
    private final WebSocketSession session;
    private final Sinks.Many<ByteBuffer> outbound = Sinks.many().unicast().onBackpressureBuffer();
    /** Frames that no view supersedes ({@link #sendNotice}): few and small, written in order, never dropped. */
    private final Sinks.Many<ByteBuffer> notices = Sinks.many().unicast().onBackpressureBuffer();
    /** Set by the hello frame, on the push thread. */
    private @Nullable String proxyId;
    /** Whether its hello said it applies delta frames; set on the push thread. */
    private volatile boolean deltas;
    /** The proxy's admin {@code host:port} as its hello said, for {@code meshctl proxy-config}. */
    private volatile @Nullable String adminAddress;

    /** The identity of the proxy's certificate (TLS), or null on the plaintext port. */
    private final dev.meshgate.core.security.identity.@Nullable SpiffeId peer;

    ProxyConnection(WebSocketSession session) {
        this(session, null);
    }

    ProxyConnection(WebSocketSession session, dev.meshgate.core.security.identity.@Nullable SpiffeId peer) {
        this.session = session;
        this.peer = peer;
    }

    dev.meshgate.core.security.identity.@Nullable SpiffeId peer() {
        return peer;
    }

    /**
     * The frames to write, each the UTF-8 text of one message, shared read-only with every other connection
     * sent the same message. When the socket is slower than the pushes only the latest frame is worth writing:
     * older ones waiting behind it are dropped rather than queued. A delta that follows a dropped frame does not
     * fit the view the proxy serves: the proxy says so ({@code resync}) and is sent the whole view. Notices go
     * between them and neither drops nor is dropped for a view.
     */
    Flux<ByteBuffer> outbound() {
        return Flux.merge(1, outbound.asFlux().onBackpressureLatest(), notices.asFlux());
    }

    /** Queues a frame that a later view does not supersede (a trust bundle change); not copied. */
    void sendNotice(ByteBuffer frame) {
        Sinks.EmitResult result = notices.tryEmitNext(frame);
        if (result.isFailure()) {
            log.debug("connection {} of {}: notice dropped ({})", serial, proxyId, result);
        }
    }

    /** Queues a frame (not copied: it must not change afterwards). */
    void send(ByteBuffer frame) {
        Sinks.EmitResult result = outbound.tryEmitNext(frame);
        if (result.isFailure()) {
            log.debug("connection {} of {}: frame dropped ({})", serial, proxyId, result);
        }
    }

    /** Ends the outbound stream; the session closes once both directions are done. */
    void complete() {
        outbound.tryEmitComplete();
        notices.tryEmitComplete();
    }

    /** Closes the socket, e.g. because a newer connection of the same proxy replaced it. */
    void close(String reason) {
        complete();
        session.close(CloseStatus.NORMAL.withReason(reason)).subscribe(null,
                e -> log.debug("closing connection {} of {}", serial, proxyId, e));
    }

    /** Closes the socket because the proxy broke the protocol. */
    void reject(String reason) {
        complete();
        session.close(CloseStatus.POLICY_VIOLATION.withReason(reason)).subscribe(null,
                e -> log.debug("closing connection {}", serial, e));
    }

    /** Closes the socket because the control plane goes away. */
    void goAway(String reason) {
        complete();
        session.close(CloseStatus.GOING_AWAY.withReason(reason)).subscribe(null,
                e -> log.debug("closing connection {} of {}", serial, proxyId, e));
    }

    @Nullable String proxyId() {
        return proxyId;
    }

    void proxyId(String id) {
        this.proxyId = id;
    }

    boolean deltas() {
        return deltas;
    }

    void deltas(boolean takesDeltas) {
        this.deltas = takesDeltas;
    }

    void adminAddress(@Nullable String address) {
        this.adminAddress = address;
    }

    @Nullable String adminAddress() {
        return adminAddress;
    }

    String remote() {
        var address = session.getHandshakeInfo().getRemoteAddress();
        return address == null ? "?" : address.toString();
    }

    @Override
    public String toString() {
        return "connection " + serial + (proxyId == null ? "" : " of " + proxyId);
    }
}
