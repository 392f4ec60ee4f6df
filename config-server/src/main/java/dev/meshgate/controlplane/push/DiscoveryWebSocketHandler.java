package dev.meshgate.controlplane.push;

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

    private final DiscoveryServer server;

    public DiscoveryWebSocketHandler(DiscoveryServer server) {
        this.server = server;
    }

    @Override
    public Mono<Void> handle(WebSocketSession session) {
        ProxyConnection connection = new ProxyConnection(session);
        Mono<Void> input = session.receive()
                .filter(message -> message.getType() == WebSocketMessage.Type.TEXT)
                .doOnNext(message -> server.onFrame(connection, message.getPayloadAsText()))
                .then()
                .doFinally(signal -> server.onClosed(connection));
        Mono<Void> output = session.send(connection.outbound().map(session::textMessage));
        return Mono.when(input, output);
    }
}
