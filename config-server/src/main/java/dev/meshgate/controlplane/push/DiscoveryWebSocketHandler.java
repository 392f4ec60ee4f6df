package dev.meshgate.controlplane.push;

import java.nio.ByteBuffer;

import dev.meshgate.core.security.identity.SpiffeId;

import org.jspecify.annotations.Nullable;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;
import reactor.core.publisher.Mono;

/**
 * Serves {@code /v1/discovery}: one session per proxy. Incoming text frames go to the
 * {@link DiscoveryServer} (which answers on its own thread); outgoing frames come from the connection's queue.
 */
public final class DiscoveryWebSocketHandler implements WebSocketHandler {

    public static final String PATH = "/v1/discovery";

    /**
     * The exchange attribute holding the {@link SpiffeId} of the proxy's certificate, set on the TLS port (by the
     * CA's web filter) before the handshake; absent on the plaintext port.
     */
    public static final String PEER_IDENTITY = "meshgate.peerIdentity";

    private final DiscoveryServer server;
    private final @Nullable SpiffeId peer;

    public DiscoveryWebSocketHandler(DiscoveryServer server) {
        this(server, null);
    }

    private DiscoveryWebSocketHandler(DiscoveryServer server, @Nullable SpiffeId peer) {
        this.server = server;
        this.peer = peer;
    }

    /** This handler for one session whose client certificate is {@code peer} (null: plaintext). */
    public DiscoveryWebSocketHandler withPeer(@Nullable SpiffeId peer) {
        return new DiscoveryWebSocketHandler(server, peer);
    }

    @Override
    public Mono<Void> handle(WebSocketSession session) {
        ProxyConnection connection = new ProxyConnection(session, peer);
        Mono<Void> input = session.receive()
                .filter(message -> message.getType() == WebSocketMessage.Type.TEXT)
                .doOnNext(message -> server.onFrame(connection, message.getPayloadAsText()))
                .then()
                .doFinally(signal -> server.onClosed(connection));
        Mono<Void> output = session.send(connection.outbound().map(frame -> textMessage(session.bufferFactory(),
                frame)));
        return Mono.when(input, output);
    }

    /**
     * A text message over the frame's own memory: a push goes to every replica of a workload, and encoding or
     * copying its view (megabytes in a large mesh) once per socket was the largest cost of a push to thousands of
     * proxies (docs/performance.md). Each message gets its own buffer object (reference count) over the same
     * bytes, and the frame is direct memory, so Netty writes it to the socket without a copy.
     */
    static WebSocketMessage textMessage(DataBufferFactory buffers, ByteBuffer frame) {
        return new WebSocketMessage(WebSocketMessage.Type.TEXT, buffers.wrap(frame.duplicate()));
    }
}
